import { defineEventHandler, readBody } from 'h3'
import { errorResponse } from '../../http/error-response'
import { answerSearch } from '../../http/search-request'

/** The same search as GET, with the parameters in a JSON body (image queries join it later). */
export default defineEventHandler(async (event) => {
  const body: unknown = await readBody(event).catch(() => Symbol.for('invalid'))
  if (typeof body === 'symbol') return errorResponse(event, 400, 'the body is not valid JSON')
  return answerSearch(event, body)
})
