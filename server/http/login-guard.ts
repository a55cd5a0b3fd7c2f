import { getRequestHeader, setResponseHeader, type H3Event } from 'h3'
import { isLoopbackHost } from '../services/auth'
import { LoginThrottle } from '../services/login-throttle'
import { errorResponse, type ErrorBody } from './error-response'

/** Wrong tokens one client may send per minute before it must wait. */
export const LOGIN_FAILURES_PER_MINUTE = 10

const WINDOW_MS = 60_000
const MAX_ADDRESSES = 10_000
const byClient = new LoginThrottle({ limit: LOGIN_FAILURES_PER_MINUTE, windowMs: WINDOW_MS, maxAddresses: MAX_ADDRESSES })
// A local proxy (nginx) forwards every client from one address and names the client in
// X-Forwarded-For. That header is believed only from a loopback peer, and everything that peer
// forwards shares a ceiling, so a forged header cannot buy unlimited tries.
const byPeer = new LoginThrottle({ limit: LOGIN_FAILURES_PER_MINUTE * 10, windowMs: WINDOW_MS, maxAddresses: MAX_ADDRESSES })

interface Addresses {
  client: string
  /** Set when the client is named by a proxy on this machine. */
  proxy?: string
}

function addresses(event: H3Event): Addresses {
  const peer = event.node.req.socket.remoteAddress ?? 'unknown'
  const forwarded = getRequestHeader(event, 'x-forwarded-for')?.split(',').at(-1)?.trim()
  if (forwarded && isLoopbackHost(peer)) return { client: forwarded, proxy: peer }
  return { client: peer }
}

/** Seconds this request's client must wait before its token is checked again, or undefined. */
export function loginRetryAfter(event: H3Event): number | undefined {
  const { client, proxy } = addresses(event)
  const waits = [byClient.retryAfter(client), proxy === undefined ? undefined : byPeer.retryAfter(proxy)].filter((wait) => wait !== undefined)
  return waits.length ? Math.max(...waits) : undefined
}

export function loginFailed(event: H3Event): void {
  const { client, proxy } = addresses(event)
  byClient.fail(client)
  if (proxy !== undefined) byPeer.fail(proxy)
}

export function loginSucceeded(event: H3Event): void {
  byClient.succeed(addresses(event).client)
}

/** The 429 for a client that sent too many wrong tokens. */
export function throttledResponse(event: H3Event, seconds: number): ErrorBody {
  setResponseHeader(event, 'Retry-After', seconds)
  return errorResponse(event, 429, `too many wrong tokens from this address (${LOGIN_FAILURES_PER_MINUTE} within a minute): try again in ${seconds} s; until then even the right token is refused`)
}
