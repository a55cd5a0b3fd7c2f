import { z } from 'zod'
import { MAX_LIMIT } from '../search/search-images'

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
