import { defineEventHandler, getRequestHeader, getRequestProtocol, readBody, sendRedirect, setCookie } from 'h3'
import { useApp } from '../app-context'
import { errorResponse } from '../http/error-response'
import { TOKEN_COOKIE, sessionValue, tokenMatches } from '../services/auth'

/** Exchanges the server token (form or JSON body) for an HttpOnly session cookie. */
export default defineEventHandler(async (event) => {
  const { config } = await useApp()
  const body: unknown = await readBody(event).catch(() => undefined)
  const provided = typeof body === 'object' && body !== null && typeof (body as { token?: unknown }).token === 'string'
    ? (body as { token: string }).token
    : undefined
  if (!config.server.token) return { ok: true }
  if (!tokenMatches(config.server.token, provided)) return errorResponse(event, 401, 'wrong token')
  const secure = getRequestProtocol(event, { xForwardedProto: true }) === 'https'
  setCookie(event, TOKEN_COOKIE, sessionValue(config.server.token), { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 60 * 60 * 24 * 30, secure })
  if ((getRequestHeader(event, 'content-type') ?? '').includes('application/x-www-form-urlencoded')) return sendRedirect(event, '/', 303)
  return { ok: true }
})
