import type { HnswIndex, Neighbours } from './hnsw-index'
import type { QuantizedVectors } from './quantized-vectors'

/** The images a query matches, as the planner needs them. */
export interface MatchingSet {
  size: number
  has(id: number): boolean
  /** Ascending. */
  ids(): number[]
}

/** The model's in-memory index: both parts or neither (while it is missing or behind). */
export interface InMemoryVectors {
  hnsw: HnswIndex
  quantized: QuantizedVectors
}

export interface PlanInput {
  vector: Float32Array
  k: number
  minScore?: number
  /** Undefined: every image matches. */
  matching?: MatchingSet
  /** Undefined while the index is missing or behind. */
  index?: InMemoryVectors
  /** The exact top-k (float32, score ≥ minScore) among the given ids, every stored vector when undefined. */
  scanExact: (ids: number[] | undefined) => Neighbours
  /** At most this many matching images are ranked by the int8 copy rather than searched in the graph. */
  exactBelow: number
}

/** How the answer was found, for the explain view and the benchmark. */
export type NearestPlan = 'empty' | 'exact' | 'hnsw' | 'hnsw-then-exact'

/** Candidates fetched per expected match beyond the plain share (the filter is not independent of the vectors). */
const OVERFETCH = 4
/** Past this many candidates a graph search costs more than ranking the matches' int8 copies. */
const MAX_FETCH = 16_384
/**
 * Candidates a filtered graph search asks for at least: the search's ef grows with the count, and a
 * filtered search has milliseconds to spare (recall@10 at 1M vectors, 50 % selectivity: 0.965 from
 * 90 candidates; 10 %: 0.966–0.973 from 410–512).
 */
const FILTERED_MIN_FETCH = 1024
/** How far an int8 score may fall short of the float32 one it stands for (measured error: a few thousandths). */
export const INT8_SLACK = 0.02

/** Candidates re-ranked with float32 for a top-k: int8 ranks the true top 10 within its top 20 on CLIP-like data; twice that for safety. */
export function rerankDepth(k: number): number {
  return k + Math.max(k, 30)
}

/**
 * The true top-k among the matching images (see docs/architecture.md, "Vector search"). Both
 * in-memory parts score in int8, so each picks candidates that `scanExact` re-ranks with the
 * stored float32 vectors:
 * - few matches (≤ exactBelow) → the int8 copies of all of them, ranked by native brute force;
 * - many → the HNSW graph asked for enough candidates that about k of them match
 *   (k ÷ share × OVERFETCH, at least FILTERED_MIN_FETCH), asked again for four times as many while fewer come back, and the
 *   int8 ranking when that would exceed MAX_FETCH. The graph's answer is accepted only when it
 *   holds k matches or cannot hold more (its whole size, or a candidate clearly below minScore).
 * Without the in-memory index, `scanExact` ranks every match itself.
 *
 * @example
 * planNearest({ vector, k: 10, matching, index, scanExact, exactBelow: 12_000 })
 */
export function planNearest(input: PlanInput): { plan: NearestPlan; hits: Neighbours } {
  const { matching, index, k } = input
  const minScore = input.minScore ?? -Infinity
  const depth = rerankDepth(k)
  if (matching && matching.size === 0) return { plan: 'empty', hits: { ids: [], scores: [] } }
  if (!index) return { plan: 'exact', hits: input.scanExact(matching?.ids()) }
  const byInt8 = (): Neighbours => input.scanExact(index.quantized.candidates(input.vector, matching?.ids(), depth).ids)
  if (matching && matching.size <= input.exactBelow) return { plan: 'exact', hits: byInt8() }
  const { hnsw } = index
  const total = hnsw.size()
  const share = matching ? Math.min(1, matching.size / Math.max(1, total)) : 1
  let fetch = matching ? Math.max(depth, FILTERED_MIN_FETCH, Math.ceil((k / share) * OVERFETCH) + k) : depth
  for (;;) {
    const found = hnsw.search(input.vector, Math.min(fetch, total))
    const ids: number[] = []
    let belowMinimum = false
    for (let c = 0; c < found.ids.length && ids.length < depth; c++) {
      if (found.scores[c]! < minScore - INT8_SLACK) {
        belowMinimum = true
        break
      }
      if (!matching || matching.has(found.ids[c]!)) ids.push(found.ids[c]!)
    }
    if (ids.length >= k || belowMinimum || found.ids.length >= total) return { plan: 'hnsw', hits: input.scanExact(ids) }
    fetch *= 4
    if (fetch > MAX_FETCH) return { plan: 'hnsw-then-exact', hits: byInt8() }
  }
}
