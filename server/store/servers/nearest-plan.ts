import type { AndNode } from '../../query/ast'
import type { MilvusFilterCompiler, VectorFilter, VectorSearchRequest } from './backends'

/** Past this many matching images, a filtered vector search does not send their ids to the vector index. */
export const MAX_ID_FILTER = 16_384
/** The first unfiltered over-fetch is this many times k (at least MIN_OVERFETCH), doubled until k matches are confirmed. */
const OVERFETCH_FACTOR = 4
const MIN_OVERFETCH = 64
/** Milvus answers at most this many results per search (its default `topk` limit). */
export const MAX_FETCH = 16_384

export type Hit = { id: number; score: number }

/** What a filtered vector search needs from the store and the vector index. */
export interface NearestPlanDeps {
  /** The vector index's own filter for a query, when it can express it. */
  filterFor?: MilvusFilterCompiler
  /** How many images match the query (MongoDB). */
  count(query: AndNode): Promise<number>
  /** The ids of the matching images (MongoDB; called only when they are few). */
  ids(query: AndNode): Promise<number[]>
  /** Which of these ids match the query (MongoDB). */
  confirm(query: AndNode, ids: number[]): Promise<Set<number>>
  search(request: VectorSearchRequest): Promise<Hit[]>
  /**
   * How many vectors the model holds: an over-fetch of this many saw them all. Asked only by an
   * over-fetch (a count on MongoDB scans an index, too slow to pay on every search).
   */
  vectors(): Promise<number>
}

/** How a vector search with a query runs: where the filter goes. */
export type NearestPlan =
  | { kind: 'unfiltered' }
  | { kind: 'filter'; filter: VectorFilter }
  | { kind: 'none' }
  | { kind: 'overfetch' }

/**
 * Chooses how to filter: the vector index's own expression when the compiler has one; else the
 * ids of the matches when there are at most MAX_ID_FILTER; else an unfiltered over-fetch whose
 * candidates MongoDB confirms.
 */
export async function planNearest(query: AndNode | undefined, deps: Pick<NearestPlanDeps, 'filterFor' | 'count' | 'ids'>): Promise<NearestPlan> {
  if (!query?.children.length) return { kind: 'unfiltered' }
  const expr = deps.filterFor?.(query)
  if (expr !== undefined) return { kind: 'filter', filter: { kind: 'expr', expr } }
  const way = filterWay(await deps.count(query))
  if (way === 'ids') return { kind: 'filter', filter: { kind: 'ids', ids: await deps.ids(query) } }
  return { kind: way }
}

/**
 * How a query the vector index cannot express filters, by how many images match: none (no
 * search), their ids (at most MAX_ID_FILTER), or an over-fetch confirmed in MongoDB.
 *
 * @example
 * filterWay(120) // 'ids'
 */
export function filterWay(matching: number): 'none' | 'ids' | 'overfetch' {
  if (matching === 0) return 'none'
  return matching <= MAX_ID_FILTER ? 'ids' : 'overfetch'
}

/** The first over-fetch for k results. */
export function firstFetch(k: number): number {
  return Math.min(Math.max(k * OVERFETCH_FACTOR, MIN_OVERFETCH), MAX_FETCH)
}

/**
 * After an over-fetch of `fetched` that gave `candidates` hits of which `confirmed` match: the next
 * fetch, or undefined when the search is over — k confirmed, the index gave fewer than asked (it
 * has no more), every vector was seen, or Milvus' limit is reached.
 *
 * @example
 * nextFetch({ k: 10, fetched: 64, candidates: 64, confirmed: 3, vectors: 1_000_000 }) // 128
 */
export function nextFetch(state: { k: number; fetched: number; candidates: number; confirmed: number; vectors: number }): number | undefined {
  const { k, fetched, candidates, confirmed, vectors } = state
  if (confirmed >= k || candidates < fetched || fetched >= vectors || fetched >= MAX_FETCH) return undefined
  return Math.min(fetched * 2, Math.max(vectors, k), MAX_FETCH)
}

/**
 * The true top-k of the matching images (up to the index's approximation): runs the plan, and for
 * an over-fetch searches for more and more unfiltered candidates, keeping those MongoDB confirms in
 * score order, until k are confirmed or every vector was seen.
 *
 * @example
 * await nearestMatching({ model: 'clip', vector, k: 10 }, parsed, deps)
 */
export async function nearestMatching(request: Omit<VectorSearchRequest, 'filter' | 'ef'>, query: AndNode | undefined, deps: NearestPlanDeps): Promise<Hit[]> {
  const plan = await planNearest(query, deps)
  switch (plan.kind) {
    case 'none': return []
    case 'unfiltered': return deps.search(request)
    case 'filter': return deps.search({ ...request, filter: plan.filter })
    case 'overfetch': break
  }
  let fetch = firstFetch(request.k)
  const vectors = await deps.vectors()
  for (;;) {
    const candidates = await deps.search({ ...request, k: fetch, ef: fetch })
    const matching = await deps.confirm(query!, candidates.map((hit) => hit.id))
    const confirmed = candidates.filter((hit) => matching.has(hit.id))
    // At MAX_FETCH the matches are more than MAX_ID_FILTER yet rarer than k in MAX_FETCH
    // candidates: the best confirmed ones are returned.
    const next = nextFetch({ k: request.k, fetched: fetch, candidates: candidates.length, confirmed: confirmed.length, vectors })
    if (next === undefined) return confirmed.slice(0, request.k)
    fetch = next
  }
}
