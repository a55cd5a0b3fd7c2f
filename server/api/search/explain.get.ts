import { defineEventHandler, getQuery } from 'h3'
import { z } from 'zod'
import { useApp } from '../../app-context'
import { badRequestOrThrow, errorResponse } from '../../http/error-response'
import { describeInvalid } from '../../http/search-request'
import { explainSearch } from '../../search/explain-search'

const explainSchema = z.strictObject({ q: z.string().max(4000).optional(), sort: z.string().max(500).optional() })

export default defineEventHandler(async (event) => {
  const parsed = explainSchema.safeParse(getQuery(event))
  if (!parsed.success) return errorResponse(event, 400, describeInvalid(parsed.error, Object.keys(explainSchema.shape)))
  try {
    return await explainSearch((await useApp()).store, parsed.data.q, parsed.data.sort)
  } catch (error) {
    return badRequestOrThrow(event, error)
  }
})
