import type { QueryNode, Span } from '../query/ast'
import { printQuery, printSort } from '../query'
import { compileMongoFilter, compileMongoSort } from '../store/servers/mongo-filter'
import type { CompiledQuery, Store } from '../store/store'
import { parseSearch } from './search-images'

export interface ClauseExplanation {
  text: string
  span: Span
  /** Images this clause matches on its own. */
  matches: number
}

export interface SearchExplanation {
  query: string
  sort: string
  ast: QueryNode
  compiled: CompiledQuery
  mongo: { filter: Record<string, unknown>; sort: Record<string, 1 | -1> }
  clauses: ClauseExplanation[]
  total: number
}

/**
 * What a query means: its canonical text, the tree, the store's compiled form, the MongoDB form,
 * and how many images each top-level clause matches alone (which clause empties a result).
 */
export async function explainSearch(store: Store, queryText = '', sortText = '', now = Date.now()): Promise<SearchExplanation> {
  const { query, sort } = parseSearch(queryText, sortText, now)
  const clauses = await Promise.all(query.children.map(async (child) => ({
    text: printQuery(child),
    span: child.span,
    matches: await store.count({ type: 'and', children: [child], span: child.span }),
  })))
  return {
    query: printQuery(query),
    sort: printSort(sort),
    ast: query,
    compiled: store.compile(query, sort),
    mongo: { filter: compileMongoFilter(query), sort: compileMongoSort(sort) },
    clauses,
    total: await store.count(query),
  }
}
