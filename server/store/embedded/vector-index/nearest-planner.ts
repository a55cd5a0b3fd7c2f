import type { HnswIndex, Neighbours } from './hnsw-index'

/** The images a query matches, as the planner needs them. */
export interface MatchingSet {
  size: number
  has(id: number): boolean
  /** Ascending. */
  ids(): number[]
}

export interface PlanInput {
  vector: Float32Array
  k: number
  minScore?: number
  /** Undefined: every image matches. */
  matching?: MatchingSet
  /** Undefined while the graph is missing or behind. */
  hnsw?: HnswIndex
  /** The exact top-k among the given ids (every stored vector when undefined). */
  scanExact: (ids: number[] | undefined) => Neighbours
  /** At most this many matching images are scanned exactly rather than searched in the graph. */
  exactBelow: number
}

/** How the answer was found, for the explain view and the benchmark. */
export type NearestPlan = 'empty' | 'exact' | 'hnsw' | 'hnsw-then-exact'

/** Candidates fetched per expected match beyond the plain share (the filter is not independent of the vectors). */
const OVERFETCH = 4
/** Past this many candidates a graph search costs more than scanning the matches exactly. */
const MAX_FETCH = 16_384

/**
 * The true top-k among the matching images (see docs/architecture.md, "Vector search"):
 * few matches → exact scan of their vectors; many → the HNSW graph asked for enough candidates that
 * about k of them match (k ÷ share × OVERFETCH), asked again for four times as many while fewer
 * come back, and the exact scan when that would exceed MAX_FETCH. The graph's answer is accepted
 * only when it holds k matches or it cannot hold more (the graph's whole size, or a candidate below
 * minScore, after which every further one is lower).
 *
 * @example
 * planNearest({ vector, k: 10, matching, hnsw, scanExact, exactBelow: 20_000 })
 */
export function planNearest(input: PlanInput): { plan: NearestPlan; hits: Neighbours } {
  const { matching, hnsw, k } = input
  const minScore = input.minScore ?? -Infinity
  if (matching && matching.size === 0) return { plan: 'empty', hits: { ids: [], scores: [] } }
  if (!hnsw || (matching && matching.size <= input.exactBelow)) return { plan: 'exact', hits: input.scanExact(matching?.ids()) }
  const total = hnsw.size()
  const share = matching ? Math.min(1, matching.size / Math.max(1, total)) : 1
  let fetch = matching ? Math.ceil((k / share) * OVERFETCH) + k : k
  for (;;) {
    const found = hnsw.search(input.vector, Math.min(fetch, total))
    const ids: number[] = []
    const scores: number[] = []
    for (let c = 0; c < found.ids.length && ids.length < k; c++) {
      const score = found.scores[c]!
      if (score < minScore) break
      if (matching && !matching.has(found.ids[c]!)) continue
      ids.push(found.ids[c]!)
      scores.push(score)
    }
    const exhausted = found.ids.length >= total || (found.scores.length > 0 && found.scores.at(-1)! < minScore)
    if (ids.length >= k || exhausted) return { plan: 'hnsw', hits: { ids, scores } }
    fetch *= 4
    if (fetch > MAX_FETCH) return { plan: 'hnsw-then-exact', hits: input.scanExact(matching?.ids()) }
  }
}
