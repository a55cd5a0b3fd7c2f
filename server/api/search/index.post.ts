import { defineEventHandler, readBody } from 'h3'
import { useApp } from '../../app-context'
import { badRequestOrThrow, errorResponse } from '../../http/error-response'
import { describeInvalid, searchRequestSchema } from '../../http/search-request'
import { searchImages } from '../../search/search-images'

/** The same search as GET, with the parameters in a JSON body (image queries join it later). */
export default defineEventHandler(async (event) => {
  const body: unknown = await readBody(event).catch(() => Symbol.for('invalid'))
  if (typeof body === 'symbol') return errorResponse(event, 400, 'the body is not valid JSON')
  const parsed = searchRequestSchema.safeParse(body ?? {})
  if (!parsed.success) return errorResponse(event, 400, describeInvalid(parsed.error))
  const { q, sort, limit, cursor } = parsed.data
  try {
    return await searchImages((await useApp()).store, { query: q, sort, limit, cursor })
  } catch (error) {
    return badRequestOrThrow(event, error)
  }
})
