import { defineEventHandler, getCookie, getRequestHeader, sendRedirect, setResponseHeader, setResponseStatus } from 'h3'
import { useApp } from '../app-context'
import { closeAfterAnswer, hasRequestBody } from '../http/limited-body'
import { loginFailed, loginRetryAfter, loginSucceeded, throttledResponse } from '../http/login-guard'
import { TOKEN_COOKIE, sessionValue, tokenFromHeaders, tokenMatches } from '../services/auth'

/**
 * With server.token set, every request needs it. A browser asking for a page of the web app is sent
 * to its login page; other HTML requests get a plain login form (no script needed) with the 401.
 */
export default defineEventHandler(async (event) => {
  const { config } = await useApp()
  const token = config.server.token
  if (!token) return
  if (event.path.startsWith('/api/login') && event.method === 'POST') return
  const page = event.path.split('?')[0]!
  // The web app's login page (its script and styles are static files, served before this check).
  if (page === '/login' && (event.method === 'GET' || event.method === 'HEAD')) return
  const headers = { authorization: getRequestHeader(event, 'authorization'), 'x-sagasu-token': getRequestHeader(event, 'x-sagasu-token') }
  // A token in a header is a guess until it matches: guesses are throttled per client like logins.
  // (The session cookie is an HMAC of the token, nothing to guess.)
  const sent = tokenFromHeaders(headers)
  if (sent !== undefined) {
    const wait = loginRetryAfter(event)
    if (wait !== undefined) return throttledResponse(event, wait)
    if (tokenMatches(token, sent)) {
      loginSucceeded(event)
      return
    }
    loginFailed(event)
  }
  if (tokenMatches(sessionValue(token), getCookie(event, TOKEN_COOKIE))) return
  // The body of a refused request is never read: the connection ends after the answer instead.
  if (hasRequestBody(event.node.req)) closeAfterAnswer(event)
  const wantsHtml = (getRequestHeader(event, 'accept') ?? '').includes('text/html')
  // A page of the web app goes to its login page, which comes back here once logged in.
  if (wantsHtml && event.method === 'GET' && !/^\/(api|files|thumbs|docs|openapi\.json)(\/|$)/.test(page)) {
    return sendRedirect(event, `/login?next=${encodeURIComponent(event.path)}`, 302)
  }
  setResponseStatus(event, 401)
  setResponseHeader(event, 'WWW-Authenticate', 'Bearer realm="sagasu"')
  if (wantsHtml) {
    setResponseHeader(event, 'Content-Type', 'text/html; charset=utf-8')
    return LOGIN_PAGE
  }
  return { error: { message: 'this Sagasu server needs its token: send "Authorization: Bearer <token>" or log in' } }
})

const LOGIN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sagasu — log in</title>
<style>body{font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:100vh;margin:0;background:#121212;color:#eee}
form{display:grid;gap:12px;padding:32px;border-radius:12px;background:#1e1e1e;min-width:280px}
input,button{font:inherit;padding:10px;border-radius:6px;border:1px solid #444;background:#2a2a2a;color:inherit}button{cursor:pointer;background:#3f51b5;border:0}</style>
</head><body><form method="post" action="/api/login">
<h1 style="margin:0;font-size:1.4rem">Sagasu</h1>
<label for="token">Server token</label><input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button></form></body></html>`
