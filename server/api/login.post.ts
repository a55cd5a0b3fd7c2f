import { defineEventHandler, getRequestHeader, getRequestProtocol, readBody, sendRedirect, setCookie } from 'h3'
import { useApp } from '../app-context'
import { errorResponse } from '../http/error-response'
import { loginFailed, loginRetryAfter, loginSucceeded, throttledResponse } from '../http/login-guard'
import { TOKEN_COOKIE, sessionValue, tokenMatches } from '../services/auth'

/**
 * Exchanges the server token (form or JSON body) for an HttpOnly session cookie. Wrong tokens are
 * counted per client address; after too many the client waits (429), the right token included.
 */
export default defineEventHandler(async (event) => {
  const { config } = await useApp()
  const wait = config.server.token ? loginRetryAfter(event) : undefined
  if (wait !== undefined) return throttledResponse(event, wait)
  const body: unknown = await readBody(event).catch(() => undefined)
  const provided = typeof body === 'object' && body !== null && typeof (body as { token?: unknown }).token === 'string'
    ? (body as { token: string }).token
    : undefined
  if (!config.server.token) return { ok: true }
  if (!tokenMatches(config.server.token, provided)) {
    loginFailed(event)
    return errorResponse(event, 401, 'wrong token')
  }
  loginSucceeded(event)
  const secure = getRequestProtocol(event, { xForwardedProto: true }) === 'https'
  setCookie(event, TOKEN_COOKIE, sessionValue(config.server.token), { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 60 * 60 * 24 * 30, secure })
  if ((getRequestHeader(event, 'content-type') ?? '').includes('application/x-www-form-urlencoded')) return sendRedirect(event, '/', 303)
  return { ok: true }
})
