import type { H3Event } from 'h3'
import { z } from 'zod'
import type { SearchPage } from '../../shared/types/api'
import { useApp } from '../app-context'
import { MAX_LIMIT, searchImages } from '../search/search-images'
import { badRequestOrThrow, errorResponse, type ErrorBody } from './error-response'

/** The search parameters, the same for GET (query string) and POST (JSON body). */
export const searchRequestSchema = z.strictObject({
  q: z.string().max(4000, 'q: at most 4000 characters').optional(),
  sort: z.string().max(500, 'sort: at most 500 characters').optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(50),
  cursor: z.string().max(2000).optional(),
})

export type SearchRequestBody = z.infer<typeof searchRequestSchema>

/** The first validation problem as one line naming the parameter. */
export function describeInvalid(error: z.ZodError, known: readonly string[] = Object.keys(searchRequestSchema.shape)): string {
  const issue = error.issues[0]!
  if (issue.code === 'unrecognized_keys') return `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}; known: ${known.join(', ')}`
  const name = issue.path.join('.')
  return name && !issue.message.startsWith(`${name}:`) ? `${name}: ${issue.message}` : issue.message
}

/** Validates search parameters (from a query string or a JSON body) and answers with a page or a 400. */
export async function answerSearch(event: H3Event, input: unknown): Promise<SearchPage | ErrorBody> {
  const parsed = searchRequestSchema.safeParse(input ?? {})
  if (!parsed.success) return errorResponse(event, 400, describeInvalid(parsed.error))
  const { q, sort, limit, cursor } = parsed.data
  try {
    return await searchImages((await useApp()).store, { query: q, sort, limit, cursor })
  } catch (error) {
    return badRequestOrThrow(event, error)
  }
}
