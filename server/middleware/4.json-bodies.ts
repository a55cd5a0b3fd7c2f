import { defineEventHandler, getRequestHeader } from 'h3'
import { errorResponse } from '../http/error-response'
import { hasRequestBody } from '../http/limited-body'
import { contentTypeProblem } from '../services/cross-site'

/** State-changing requests take JSON bodies only (plus the two documented exceptions): 415 otherwise. */
export default defineEventHandler((event) => {
  const problem = contentTypeProblem({
    method: event.method,
    path: event.path.split('?')[0]!,
    contentType: getRequestHeader(event, 'content-type'),
    hasBody: hasRequestBody(event.node.req),
  })
  if (problem) return errorResponse(event, 415, problem)
})
