import { hostName } from './allowed-hosts'

/** The methods that change something; only these are checked (a cross-site page cannot read the answer to a GET). */
export const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export interface RequestSignals {
  host?: string
  origin?: string
  secFetchSite?: string
}

/**
 * Why a state-changing request looks sent by another site's page, or undefined. Browsers send
 * `Sec-Fetch-Site` (`same-origin`, `same-site`, `cross-site`, `none` for a typed URL) and `Origin`
 * on every POST; clients such as curl send neither and pass.
 */
export function crossSiteProblem(signals: RequestSignals): string | undefined {
  const site = signals.secFetchSite?.toLowerCase()
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `refused: this request was sent by a page of another site (Sec-Fetch-Site: ${site}); Sagasu changes nothing for other sites' pages`
  }
  if (signals.origin !== undefined && !sameOrigin(signals.origin, signals.host)) {
    return `refused: this request was sent by a page of another origin (Origin: ${signals.origin}); Sagasu changes nothing for other sites' pages`
  }
  return undefined
}

/**
 * Whether the Origin names the host the request was sent to. The scheme is not compared: behind a
 * TLS proxy the server itself speaks plain HTTP. A proxy passing `Host $host` drops the port, so a
 * Host without one matches the Origin's name alone (Sec-Fetch-Site still tells other ports apart).
 */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false // "null" (a sandboxed frame, a file: page) or garbage
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
  const sent = host.trim().toLowerCase()
  if (url.host === sent) return true
  const hasPort = /\]:\d+$|^[^:\]]*:\d+$/.test(sent)
  return !hasPort && hostName(url.host) === hostName(sent)
}

export interface BodyRules {
  method: string
  /** The request path without its query. */
  path: string
  contentType?: string
  hasBody: boolean
}

/**
 * Why a state-changing request's body type is refused (HTTP 415), or undefined. Only JSON is taken:
 * a page of another site can send a form or text without asking, but JSON only after a CORS
 * preflight that Sagasu never grants. Two documented exceptions: an image search as
 * multipart/form-data, and the no-script login form.
 */
export function contentTypeProblem(rules: BodyRules): string | undefined {
  if (!STATE_CHANGING.has(rules.method)) return undefined
  const type = (rules.contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (!type) return rules.hasBody ? `${rules.method} ${rules.path} needs "Content-Type: application/json" with its body` : undefined
  if (type === 'application/json') return undefined
  if (type === 'multipart/form-data' && rules.method === 'POST' && rules.path === '/api/search') return undefined
  if (type === 'application/x-www-form-urlencoded' && rules.method === 'POST' && rules.path === '/api/login') return undefined
  const also = rules.path === '/api/search' ? ' (or multipart/form-data with an image)' : rules.path === '/api/login' ? ' (or the login form\'s application/x-www-form-urlencoded)' : ''
  return `${rules.method} ${rules.path} takes only application/json${also}, not ${type}`
}
