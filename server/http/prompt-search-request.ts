import type { H3Event } from 'h3'
import { z } from 'zod'
import type { PromptSearchPage } from '../../shared/types/prompt'
import { useApp } from '../app-context'
import { PROMPT_SEARCH, searchPrompts } from '../search/search-prompts'
import { FullTextQueryError } from '../store/full-text-query-error'
import { errorResponse, type ErrorBody } from './error-response'
import { describeInvalid } from './search-request'

const { maxQueryLength, defaultLimit, maxLimit, maxOffset } = PROMPT_SEARCH

const whole = (name: string, min: number, max: number) => {
  const message = `${name}: a whole number from ${min} to ${max}`
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message)
}

/** The parameters of `GET /api/prompts/search` (the seed API's `q` and `l`, plus `offset`). */
export const promptSearchSchema = z.strictObject({
  q: z.string({ error: (issue) => (issue.input === undefined ? 'q: required: an FTS5 query such as masterpiece or "long hair"' : 'q: give it once, as text') })
    .max(maxQueryLength, `q: at most ${maxQueryLength} characters`),
  l: whole('l', 1, maxLimit).default(defaultLimit),
  offset: whole('offset', 0, maxOffset).default(0),
})

/** Validates the query string and answers with a page of prompt hits, or a 400 naming the parameter. */
export async function answerPromptSearch(event: H3Event, input: unknown): Promise<PromptSearchPage | ErrorBody> {
  const parsed = promptSearchSchema.safeParse(input ?? {})
  if (!parsed.success) return errorResponse(event, 400, describeInvalid(parsed.error, Object.keys(promptSearchSchema.shape)))
  const { q, l, offset } = parsed.data
  try {
    return await searchPrompts((await useApp()).store, { query: q, limit: l, offset })
  } catch (error) {
    if (error instanceof FullTextQueryError) return errorResponse(event, 400, `q: ${error.message}`, error.hint ? { hint: error.hint } : {})
    throw error
  }
}
