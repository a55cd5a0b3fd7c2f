import type { PromptSearchPage } from '../../shared/types/prompt'
import { FullTextQueryError } from '../store/full-text-query-error'
import type { Store } from '../store/store'

/** Bounds of a prompt search, shared by the route, the CLI and the OpenAPI document. */
export const PROMPT_SEARCH = {
  /** Characters of query text. */
  maxQueryLength: 1000,
  defaultLimit: 20,
  maxLimit: 200,
  maxOffset: 100_000,
} as const

export interface PromptSearchParams {
  query: string
  limit?: number
  offset?: number
}

/**
 * A full-text search over the AI prompts (SQLite FTS5 query syntax), best match first. Throws
 * FullTextQueryError for an empty, too long or malformed query, and RangeError for a limit or
 * offset out of bounds (the callers check those at their edge).
 *
 * @example
 * await searchPrompts(store, { query: '"long hair" AND negative: blurry', limit: 10 })
 */
export async function searchPrompts(store: Store, params: PromptSearchParams): Promise<PromptSearchPage> {
  const { query, limit = PROMPT_SEARCH.defaultLimit, offset = 0 } = params
  if (!Number.isInteger(limit) || limit < 1 || limit > PROMPT_SEARCH.maxLimit) throw new RangeError(`limit must be a whole number from 1 to ${PROMPT_SEARCH.maxLimit}`)
  if (!Number.isInteger(offset) || offset < 0 || offset > PROMPT_SEARCH.maxOffset) throw new RangeError(`offset must be a whole number from 0 to ${PROMPT_SEARCH.maxOffset}`)
  if (query.length > PROMPT_SEARCH.maxQueryLength) throw new FullTextQueryError(`longer than ${PROMPT_SEARCH.maxQueryLength} characters`)
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(query)
  if (control) {
    throw new FullTextQueryError(`control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()} in the query`, 'remove it; tabs and line breaks are fine')
  }
  return store.searchPrompts({ query, limit, offset })
}
