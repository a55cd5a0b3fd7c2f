import { defineEventHandler } from 'h3'
import { errorResponse } from '../http/error-response'
import { H3_RAW_BODY, closeAfterAnswer, hasRequestBody, readLimitedBody } from '../http/limited-body'
import { MAX_IMAGE_MIB } from '../http/search-request'
import { STATE_CHANGING } from '../services/cross-site'

/** Every body Sagasu takes is small JSON, except a search with an image (base64 is 4/3 of it). */
const DEFAULT_LIMIT = 2 ** 20
const SEARCH_LIMIT = Math.ceil(MAX_IMAGE_MIB * 1.4) * 2 ** 20
/** A login needs only its token; it is also the one body read before the token is known. */
const LOGIN_LIMIT = 16 * 2 ** 10

function limitOf(path: string): number {
  if (path === '/api/search') return SEARCH_LIMIT
  if (path === '/api/login') return LOGIN_LIMIT
  return DEFAULT_LIMIT
}

function describe(limit: number): string {
  const size = limit >= 2 ** 20 ? `${limit / 2 ** 20} MiB` : `${limit / 2 ** 10} KiB`
  return `the request body is larger than ${size}${limit === SEARCH_LIMIT ? ` (an image may have at most ${MAX_IMAGE_MIB} MiB)` : ''}`
}

/**
 * Reads every request body here, counting the bytes as they come, and hands it to the routes where
 * h3's body readers find it. Past the route's limit (or a larger Content-Length) the answer is 413
 * and the connection is closed rather than read on. With server.token set this runs after the
 * token check, so a request without it never gets its body read; /api/login, the one exception,
 * has a small limit.
 */
export default defineEventHandler(async (event) => {
  const request = event.node.req
  if (!STATE_CHANGING.has(event.method) || !hasRequestBody(request)) return
  const limit = limitOf(event.path.split('?')[0]!)
  const declared = Number(request.headers['content-length'] ?? 0)
  const read = declared > limit ? ({ ok: false, reason: 'too-large' } as const) : await readLimitedBody(request, limit)
  if (read.ok) {
    ;(request as unknown as Record<symbol, Buffer>)[H3_RAW_BODY] = read.body
    return
  }
  // Nothing more of this body is read: the connection ends after the answer.
  closeAfterAnswer(event)
  if (read.reason === 'aborted') return errorResponse(event, 400, 'the request body ended early')
  return errorResponse(event, 413, describe(limit))
})
