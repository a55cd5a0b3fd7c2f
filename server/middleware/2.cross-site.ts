import { defineEventHandler, getRequestHeader } from 'h3'
import { errorResponse } from '../http/error-response'
import { STATE_CHANGING, crossSiteProblem } from '../services/cross-site'

/**
 * Refuses a request that changes something when a browser says another site's page sent it: any
 * page the user visits could otherwise post a form to the server on 127.0.0.1 (add a folder, start
 * an import), with or without a token's cookie.
 */
export default defineEventHandler((event) => {
  if (!STATE_CHANGING.has(event.method)) return
  const problem = crossSiteProblem({
    host: getRequestHeader(event, 'host'),
    origin: getRequestHeader(event, 'origin'),
    secFetchSite: getRequestHeader(event, 'sec-fetch-site'),
  })
  if (problem) return errorResponse(event, 403, problem)
})
