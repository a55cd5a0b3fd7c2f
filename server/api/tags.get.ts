import { defineEventHandler, getQuery } from 'h3'
import { z } from 'zod'
import { useApp } from '../app-context'
import { errorResponse } from '../http/error-response'
import { describeInvalid } from '../http/search-request'

const tagsSchema = z.strictObject({
  prefix: z.string().max(200).default(''),
  limit: z.coerce.number().int().min(1).max(100).default(20),
})

/** Tag autocomplete: names starting with the prefix, with image counts and categories, most used first. */
export default defineEventHandler(async (event) => {
  const parsed = tagsSchema.safeParse(getQuery(event))
  if (!parsed.success) return errorResponse(event, 400, describeInvalid(parsed.error, Object.keys(tagsSchema.shape)))
  const tags = await (await useApp()).store.suggestTags(parsed.data.prefix.trim().toLowerCase(), parsed.data.limit)
  return { tags }
})
