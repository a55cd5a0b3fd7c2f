import { createHmac, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'

export const TOKEN_COOKIE = 'sagasu_token'

/** 127.0.0.0/8, ::1 and localhost: the addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '')
  if (bare === 'localhost') return true
  if (isIP(bare) === 4) return bare.startsWith('127.')
  if (isIP(bare) === 6) return bare === '::1' || bare.startsWith('::ffff:127.')
  return false
}

/** Refuses an open server: listening beyond loopback needs a token. Returns the problem, if any. */
export function bindProblem(host: string, token: string | undefined): string | undefined {
  if (isLoopbackHost(host) || token) return undefined
  return `refusing to listen on ${host}: other machines could reach the library. Set server.token (or SAGASU_TOKEN) to a secret of 16+ characters, or listen on 127.0.0.1`
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
export function tokenMatches(expected: string, provided: string | undefined): boolean {
  if (provided === undefined) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(provided)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The token from `Authorization: Bearer …` or an `X-Sagasu-Token` header. */
export function tokenFromHeaders(headers: { authorization?: string; 'x-sagasu-token'?: string }): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1] ?? headers['x-sagasu-token']
}

/**
 * What the login cookie holds: derived from the token, never the token itself, so a leaked
 * cookie (a shared browser profile, a log) does not give away the secret used for the API.
 */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('sagasu-session-v1').digest('base64url')
}
