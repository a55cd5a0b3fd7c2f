import { exactSearch, MetricKind, type Matches } from 'usearch'
import type { EmbeddingRow } from '../embedding-queries'
import type { Neighbours } from './hnsw-index'
import { standalone } from './vector-codec'

/**
 * The exact top-k over stored float32 vectors, chunk by chunk: each chunk is copied into one
 * array and ranked by usearch's native brute force (SIMD, no graph), and the chunks' best merge.
 * Exact by construction, so a selective filter never loses a match.
 *
 * @example
 * scanExact(embeddings.ofIds('clip', ids), query, 10, 0.2)
 */
export function scanExact(chunks: Iterable<EmbeddingRow[]>, query: Float32Array, k: number, minScore = -Infinity): Neighbours {
  const dims = query.length
  const own = standalone(query)
  let best: Array<{ id: number; score: number }> = []
  for (const rows of chunks) {
    if (!rows.length) continue
    const dataset = new Float32Array(rows.length * dims)
    const bytes = new Uint8Array(dataset.buffer)
    for (let r = 0; r < rows.length; r++) bytes.set(rows[r]!.vector, r * dims * 4)
    const found = exactSearch(dataset, own, dims, Math.min(k, rows.length), MetricKind.IP) as Matches
    for (let m = 0; m < found.keys.length; m++) {
      const score = 1 - found.distances[m]!
      if (score >= minScore) best.push({ id: rows[Number(found.keys[m])]!.image_id, score })
    }
    best = rank(best).slice(0, k)
  }
  return { ids: best.map((hit) => hit.id), scores: best.map((hit) => hit.score) }
}

/** Best first; equal scores by id so that results do not depend on chunking. */
function rank(hits: Array<{ id: number; score: number }>): Array<{ id: number; score: number }> {
  return hits.sort((a, b) => b.score - a.score || a.id - b.id)
}
