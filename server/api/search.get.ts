import { defineEventHandler, getQuery } from 'h3'
import { z } from 'zod'
import { useApp } from '../app-context'
import { badRequestOrThrow, errorResponse } from '../http/error-response'
import { MAX_LIMIT, searchImages } from '../search/search-images'

const querySchema = z.strictObject({
  q: z.string().max(4000).optional(),
  sort: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(50),
  offset: z.coerce.number().int().min(0).default(0),
})

export default defineEventHandler(async (event) => {
  const parsed = querySchema.safeParse(getQuery(event))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    return errorResponse(event, 400, `${issue.path.join('.') || 'query'}: ${issue.message}`)
  }
  const { q, sort, limit, offset } = parsed.data
  try {
    return await searchImages((await useApp()).store, { query: q, sort, limit, offset })
  } catch (error) {
    return badRequestOrThrow(event, error)
  }
})
