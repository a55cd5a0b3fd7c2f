import { defineEventHandler, getQuery } from 'h3'
import { useApp } from '../../app-context'
import { badRequestOrThrow, errorResponse } from '../../http/error-response'
import { describeInvalid, searchRequestSchema } from '../../http/search-request'
import { searchImages } from '../../search/search-images'

export default defineEventHandler(async (event) => {
  const parsed = searchRequestSchema.safeParse(getQuery(event))
  if (!parsed.success) return errorResponse(event, 400, describeInvalid(parsed.error))
  const { q, sort, limit, cursor } = parsed.data
  try {
    return await searchImages((await useApp()).store, { query: q, sort, limit, cursor })
  } catch (error) {
    return badRequestOrThrow(event, error)
  }
})
