import { defineEventHandler, getQuery } from 'h3'
import { answerPromptSearch } from '../../http/prompt-search-request'

/** Full-text search over the AI prompts (SQLite FTS5 query syntax), best bm25 match first. */
export default defineEventHandler((event) => answerPromptSearch(event, getQuery(event)))
