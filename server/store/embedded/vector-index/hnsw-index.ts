import { Index, MetricKind, ScalarKind } from 'usearch'
import { INT8_SCALE } from './quantized-vectors'
import { standalone } from './vector-codec'

/** The HNSW graph's parameters; changing M or efConstruction means a rebuild, efSearch does not. */
export interface HnswParameters {
  /** M: neighbours per node (2·M on the bottom layer). */
  connectivity: number
  /** efConstruction: candidates considered while inserting. */
  expansionAdd: number
  /** efSearch: candidates considered per search (raised to k when k is larger). */
  expansionSearch: number
}

/** Neighbours, best first: ids and cosine similarities (inner products of unit vectors). */
export interface Neighbours {
  ids: number[]
  scores: number[]
}

/**
 * One model's vectors in a usearch HNSW graph: inner product on L2-normalised vectors stored as
 * int8 (a quarter of float32; graph builds and searches are faster than float16's). int8 scores are
 * approximate (recall@10 of the top 10 alone: 0.80 on CLIP-like data), so callers take a few
 * dozen candidates and re-rank them with the float32 vectors (recall@10 1.000 from 40). Keys are
 * image ids.
 *
 * @example
 * const index = HnswIndex.create(512, { connectivity: 32, expansionAdd: 64, expansionSearch: 64 })
 * index.add([7], vector)
 * index.search(query, 10) // { ids: [7], scores: [0.93] } (approximate)
 */
export class HnswIndex {
  private constructor(private readonly index: Index, readonly dims: number) {}

  static create(dims: number, parameters: HnswParameters): HnswIndex {
    return new HnswIndex(new Index({
      dimensions: dims,
      metric: MetricKind.IP,
      quantization: ScalarKind.I8,
      connectivity: parameters.connectivity,
      expansion_add: parameters.expansionAdd,
      expansion_search: parameters.expansionSearch,
      multi: false,
    }), dims)
  }

  /** Reads a saved index into memory (it stays writable, unlike a memory-mapped view). */
  static load(path: string, dims: number, parameters: HnswParameters): HnswIndex {
    const index = HnswIndex.create(dims, parameters)
    index.index.load(path)
    return index
  }

  /** Adds (or replaces) vectors: `vectors` holds `ids.length` vectors one after the other. */
  add(ids: ArrayLike<number>, vectors: Float32Array, threads = 1): void {
    if (!ids.length) return
    const keys = BigUint64Array.from(Array.from(ids, (id) => BigInt(id)))
    const present = this.index.contains(keys)
    const replaced = Array.isArray(present) ? keys.filter((_key, k) => present[k]) : present ? keys : []
    if (replaced.length) this.index.remove(BigUint64Array.from(replaced))
    this.index.add(keys, standalone(vectors), threads)
  }

  remove(id: number): void {
    const key = BigInt(id)
    if (this.index.contains(key)) this.index.remove(key)
  }

  has(id: number): boolean {
    return this.index.contains(BigInt(id)) as boolean
  }

  /** The `count` best matches by int8 score; the search considers max(efSearch, count) candidates. */
  search(vector: Float32Array, count: number): Neighbours {
    const size = this.size()
    if (size === 0 || count <= 0) return { ids: [], scores: [] }
    const found = this.index.search(standalone(vector), Math.min(count, size), 1)
    const ids: number[] = []
    const scores: number[] = []
    for (let k = 0; k < found.keys.length; k++) {
      ids.push(Number(found.keys[k]))
      // usearch's int8 inner product is the raw sum of products (distance = 1 − sum).
      scores.push((1 - found.distances[k]!) / (INT8_SCALE * INT8_SCALE))
    }
    return { ids, scores }
  }

  size(): number {
    return this.index.size()
  }

  save(path: string): void {
    this.index.save(path)
  }
}
