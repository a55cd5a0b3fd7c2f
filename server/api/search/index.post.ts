import { defineEventHandler, getRequestHeader, readBody, readMultipartFormData } from 'h3'
import { errorResponse } from '../../http/error-response'
import { answerSearch } from '../../http/search-request'

/**
 * The same search as GET, with the parameters in a JSON body — plus an image to rank by: `image`
 * as base64 in JSON, or a file part named `image` in multipart/form-data (the other parameters as
 * text parts). Nothing is ever fetched from a URL.
 */
export default defineEventHandler(async (event) => {
  if (getRequestHeader(event, 'content-type')?.startsWith('multipart/form-data')) {
    const parts = await readMultipartFormData(event).catch(() => undefined)
    if (!parts) return errorResponse(event, 400, 'the multipart body cannot be read')
    const fields: Record<string, string> = {}
    for (const part of parts) {
      if (!part.name) continue
      fields[part.name] = part.name === 'image' ? part.data.toString('base64') : part.data.toString('utf8')
    }
    return answerSearch(event, fields)
  }
  const body: unknown = await readBody(event).catch(() => Symbol.for('invalid'))
  if (typeof body === 'symbol') return errorResponse(event, 400, 'the body is not valid JSON')
  return answerSearch(event, body)
})
