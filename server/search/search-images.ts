import type { SearchPage } from '../../shared/types/api'
import type { Store } from '../store/store'
import { parsePlainQuery, parseSort, QueryError } from './plain-query'

export interface SearchParams {
  query?: string
  sort?: string
  limit?: number
  offset?: number
}

export const MAX_LIMIT = 500

/**
 * Query text in, one page of images out; newest first unless a sort is given.
 * Bad input throws QueryError (a 400), never reaches the store.
 */
export async function searchImages(store: Store, params: SearchParams): Promise<SearchPage> {
  const limit = params.limit ?? 50
  const offset = params.offset ?? 0
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new QueryError(`limit must be a whole number from 1 to ${MAX_LIMIT}`, 0)
  if (!Number.isInteger(offset) || offset < 0) throw new QueryError('offset must be a whole number ≥ 0', 0)
  const where = params.query ? parsePlainQuery(params.query) : []
  const sort = params.sort ? parseSort(params.sort) : [{ field: 'added', direction: -1 as const }]
  return store.search({ where, sort, limit, offset })
}
