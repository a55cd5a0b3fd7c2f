import { setResponseHeader, type H3Event } from 'h3'
import { errorResponse, type ErrorBody } from './error-response'

/**
 * The 405 for a page that only answers GET and HEAD; undefined when the method is one of them. A
 * route file without a method suffix takes every method, so no other method falls through to the
 * web app's HTML.
 */
export function readOnlyMethodProblem(event: H3Event): ErrorBody | undefined {
  if (event.method === 'GET' || event.method === 'HEAD') return undefined
  setResponseHeader(event, 'Allow', 'GET, HEAD')
  return errorResponse(event, 405, `${event.method} is not allowed on ${event.path.split('?')[0]}: it answers GET and HEAD only`)
}
