import type { SearchPage } from '../../shared/types/api'
import type { AndNode, SortKey } from '../query/ast'
import { parseQuery, parseSort, printQuery, printSort } from '../query'
import { didYouMean } from '../query/diagnostics'
import type { Store } from '../store/store'
import { decodeCursor, encodeCursor, fingerprint } from './cursor'
import { similarityOf, similarityPage, type ClipEncoder, type Similarity, type SimilarityWeights } from './similarity-search'
import { QueryError } from './query-error'

export interface SearchParams {
  query?: string
  sort?: string
  limit?: number
  /** From the previous page's nextCursor. */
  cursor?: string
  /** Skip this many results (the CLI's --offset); ignored with a cursor. */
  offset?: number
  now?: number
  /** CLIP text to rank by (as a `clip:` clause would). */
  text?: string
  /** An image to rank by (its bytes; never a URL). */
  image?: Buffer
}

/** What CLIP search needs from the running app, asked for only by searches that rank by similarity. */
export interface SearchContext {
  /** The CLIP encoder; rejects with a QueryError saying why when CLIP cannot work here. */
  clip?: () => Promise<ClipEncoder>
  weights?: SimilarityWeights
}

export const MAX_LIMIT = 500
export const DEFAULT_SORT = 'added;-1'

export interface ParsedSearch {
  query: AndNode
  sort: SortKey[]
  /** Canonical text of query and sort: what a cursor is bound to. */
  canonical: string
}

/** Parses query and sort text, throwing QueryError (a 400) with the position of the first problem. */
export function parseSearch(queryText = '', sortText = '', now = Date.now()): ParsedSearch {
  rejectControlCharacters(queryText, 'query')
  rejectControlCharacters(sortText, 'sort')
  const query = parseQuery(queryText, { now })
  if (!query.ok) throw new QueryError(query.error)
  const sort = parseSort(sortText.trim() ? sortText : DEFAULT_SORT)
  if (!sort.ok) throw new QueryError(sort.error)
  return { query: query.value, sort: sort.value, canonical: `${printQuery(query.value)}\u0000${printSort(sort.value)}` }
}

/** NUL and other control characters have no meaning in a query, and SQLite's full-text parser chokes on NUL. */
function rejectControlCharacters(text: string, what: string): void {
  // eslint-disable-next-line no-control-regex
  const match = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text)
  if (match) {
    const code = match[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()
    throw new QueryError({ message: `the ${what} contains a control character (U+${code})`, position: match.index, hint: 'remove it; tabs and line breaks are fine' })
  }
}

/**
 * Query text in, one page of images out, newest first unless a sort is given. Paging is keyset
 * based, so pages stay stable while an import adds or re-indexes images.
 */
export async function searchImages(store: Store, params: SearchParams, context: SearchContext = {}): Promise<SearchPage> {
  const limit = params.limit ?? 50
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new QueryError({ message: `limit must be a whole number from 1 to ${MAX_LIMIT}`, position: 0 })
  const offset = params.offset ?? 0
  if (!Number.isInteger(offset) || offset < 0) throw new QueryError({ message: 'offset must be a whole number ≥ 0', position: 0 })
  const parsed = parseSearch(params.query, params.sort, params.now)
  await requireSortTags(store, parsed.sort)
  const similarity = similarityOf(parsed.query, { ...(params.text !== undefined ? { text: params.text } : {}), ...(params.image ? { image: params.image } : {}) })
  if (similarity) return searchBySimilarity(store, params, parsed, similarity, context, { limit, offset })
  const print = fingerprint(parsed.canonical)
  const after = params.cursor ? decodeCursor(params.cursor, print) : undefined
  const page = await store.search({ query: parsed.query, sort: parsed.sort, limit, ...(after ? { after } : offset ? { offset } : {}) })
  return { total: page.total, results: page.results, nextCursor: page.next ? encodeCursor(page.next, print) : null }
}

/**
 * A sort by a tag's score (`tags.long_hair;-1`) names a tag some image has: a misspelt name would
 * otherwise sort nothing and say nothing.
 */
export async function requireSortTags(store: Store, sort: SortKey[]): Promise<void> {
  for (const key of sort) {
    if (!key.field.startsWith('tags.')) continue
    const name = key.field.slice('tags.'.length)
    const tag = { type: 'tag' as const, name, pattern: false, comparisons: [], span: key.span }
    if (await store.count({ type: 'and', children: [tag], span: key.span }) > 0) continue
    const near = (await store.suggestTags(name.slice(0, 3), 200)).map((info) => info.name)
    const hint = didYouMean(name, near)
    throw new QueryError({
      message: `no image has the tag "${name}" to sort by`,
      position: key.span.start,
      hint: hint ? `did you mean "${hint}"?` : 'tags are the tagger\'s names, e.g. tags.long_hair;-1 (highest score first)',
    })
  }
}

/**
 * A search that ranks by CLIP similarity: the true top matches of the filters (docs/query-language.md,
 * "Similarity"). Paged by position within the top MAX_SIMILAR; the cursor is bound to the query,
 * the sort, the text and the image.
 */
async function searchBySimilarity(
  store: Store,
  params: SearchParams,
  parsed: ParsedSearch,
  similarity: Similarity,
  context: SearchContext,
  { limit, offset }: { limit: number; offset: number },
): Promise<SearchPage> {
  if (!context.clip) throw new QueryError({ message: 'CLIP search is not available: no CLIP model is set up', position: 0, hint: 'see docs/models.md' })
  const clip = await context.clip()
  const print = fingerprint(`${parsed.canonical}\u0000${params.text ?? ''}\u0000${params.image ? fingerprint(params.image.toString('latin1')) : ''}`)
  const start = params.cursor ? decodeCursor(params.cursor, print).id : offset
  const { page, offset: next } = await similarityPage(store, clip, {
    query: parsed.query,
    ...(params.sort?.trim() ? { sort: parsed.sort } : {}),
    similarity,
    weights: context.weights ?? { text: 1, image: 1, fullText: 0.1 },
    limit,
    offset: start,
  })
  return { ...page, nextCursor: next >= 0 ? encodeCursor({ values: ['similarity'], id: next }, print) : null }
}
