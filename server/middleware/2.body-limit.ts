import { defineEventHandler, getRequestHeader } from 'h3'
import { errorResponse } from '../http/error-response'
import { MAX_IMAGE_MIB } from '../http/search-request'

/** Every body Sagasu takes is small JSON, except a search with an image (base64 is 4/3 of it). */
const DEFAULT_LIMIT = 2 ** 20
const SEARCH_LIMIT = Math.ceil(MAX_IMAGE_MIB * 1.4) * 2 ** 20

/**
 * Routes read bodies into memory whole, so a body declared larger than any valid request is refused
 * (413) before a byte of it is read.
 */
export default defineEventHandler((event) => {
  const declared = Number(getRequestHeader(event, 'content-length') ?? 0)
  if (!declared) return
  const limit = event.path.split('?')[0] === '/api/search' ? SEARCH_LIMIT : DEFAULT_LIMIT
  if (declared > limit) {
    return errorResponse(event, 413, `the request body is larger than ${limit / 2 ** 20} MiB${limit === SEARCH_LIMIT ? ` (an image may have at most ${MAX_IMAGE_MIB} MiB)` : ''}`)
  }
})
