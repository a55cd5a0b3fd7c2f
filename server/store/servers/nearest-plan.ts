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
  /** Vectors the model holds: an over-fetch of this many saw them all. */
  vectors: number
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
  const total = await deps.count(query)
  if (total === 0) return { kind: 'none' }
  if (total <= MAX_ID_FILTER) return { kind: 'filter', filter: { kind: 'ids', ids: await deps.ids(query) } }
  return { kind: 'overfetch' }
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
  let fetch = Math.min(Math.max(request.k * OVERFETCH_FACTOR, MIN_OVERFETCH), MAX_FETCH)
  for (;;) {
    const candidates = await deps.search({ ...request, k: fetch, ef: fetch })
    const matching = await deps.confirm(query!, candidates.map((hit) => hit.id))
    const confirmed = candidates.filter((hit) => matching.has(hit.id))
    // Fewer candidates than asked for: the index (or minScore) has no more to give. At MAX_FETCH the
    // matches are more than MAX_ID_FILTER yet rarer than k in MAX_FETCH: the best confirmed ones are returned.
    if (confirmed.length >= request.k || candidates.length < fetch || fetch >= deps.vectors || fetch >= MAX_FETCH) return confirmed.slice(0, request.k)
    fetch = Math.min(fetch * 2, Math.max(deps.vectors, request.k), MAX_FETCH)
  }
}
