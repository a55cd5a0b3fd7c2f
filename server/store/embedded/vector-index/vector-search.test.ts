import { readdirSync, statSync } from 'node:fs'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ImageInput } from '../../../../shared/types/image'
import { tempDir } from '../../../../test/helpers/library'
import { parseQuery } from '../../../query'
import type { AndNode } from '../../../query/ast'
import type { Store } from '../../store'
import { VectorInputError } from '../../vector-input-error'
import { openSqliteStore, type SqliteStoreOptions } from '../sqlite-store'
import { estimateIndex } from './estimate'
import { clusteredVectors, seededRandom } from '../../../../test/helpers/synthetic-vectors'

const DIMS = 32
const COUNT = 3000
const MODEL = 'clip-test'

function image(i: number): ImageInput {
  // filesize 1..1000 makes selectivities easy to state; width is unique per image.
  return {
    folder: 'lib', path: `${i}.png`, filename: `${i}.png`, ext: 'png', filesize: (i % 1000) + 1, mtime: 1000, hash: `h${i}`,
    width: i + 1, height: 50, format: 'png', animated: false, frames: 1, type: 'other',
  }
}

function query(text: string): AndNode {
  const parsed = parseQuery(text)
  if (!parsed.ok) throw new Error(parsed.error.message)
  return parsed.value
}

/** Brute force over the vectors the test saved, in float64. */
function bruteForce(vectors: Map<number, Float32Array>, q: Float32Array, k: number, keep: (id: number) => boolean, minScore = -Infinity) {
  const scored: Array<{ id: number; score: number }> = []
  for (const [id, v] of vectors) {
    if (!keep(id)) continue
    let dot = 0
    for (let d = 0; d < v.length; d++) dot += v[d]! * q[d]!
    if (dot >= minScore) scored.push({ id, score: dot })
  }
  return scored.sort((a, b) => b.score - a.score).slice(0, k)
}

const stores: Store[] = []
function open(dir: string, options: SqliteStoreOptions = {}): Store {
  const store = openSqliteStore(dir, options)
  stores.push(store)
  return store
}
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
})

/** A library of COUNT images with clustered unit vectors; `ids[i]` is image i's id. */
async function library(dir: string, options: SqliteStoreOptions = {}) {
  const store = open(dir, options)
  const data = clusteredVectors({ count: COUNT, dims: DIMS, centroids: 30, noise: 0.6, seed: 7 })
  const vectors = new Map<number, Float32Array>()
  const ids: number[] = []
  for (let i = 0; i < COUNT; i++) {
    const id = await store.saveImage(image(i))
    ids.push(id)
    const v = data.subarray(i * DIMS, (i + 1) * DIMS)
    await store.saveEmbedding(id, MODEL, v)
    vectors.set(id, v.slice())
  }
  const queries = clusteredVectors({ count: 20, dims: DIMS, centroids: 30, noise: 0.6, seed: 7, offset: COUNT })
  return { store, vectors, ids, queries: Array.from({ length: 20 }, (_x, q) => queries.subarray(q * DIMS, (q + 1) * DIMS)) }
}

// Selectivities from none to all: the query text and which image numbers (i) match it.
const FILTERS: Array<[string, string, (i: number) => boolean]> = [
  ['0 matches', 'width;>100000', () => false],
  ['1 match', 'width;=18', (i) => i === 17],
  ['a few', 'width;<=5', (i) => i < 5],
  ['1 %', 'filesize;<=10', (i) => i % 1000 < 10],
  ['10 %', 'filesize;<=100', (i) => i % 1000 < 100],
  ['50 %', 'filesize;<=500', (i) => i % 1000 < 500],
  ['all', 'filesize;>=1', () => true],
]

describe('vector search in the embedded store', () => {
  let exactStore: Awaited<ReturnType<typeof library>>
  beforeAll(async () => {
    exactStore = await library(tempDir())
    stores.splice(0)
  }, 60_000)

  it.each(FILTERS)('exact path: the true top-k at %s', async (_name, text, keep) => {
    const { store, vectors, ids, queries } = exactStore
    const index = new Map(ids.map((id, i) => [id, i]))
    for (const q of queries.slice(0, 5)) {
      const found = await store.nearest({ model: MODEL, vector: q, k: 10, query: query(text) })
      const truth = bruteForce(vectors, q, 10, (id) => keep(index.get(id)!))
      expect(found.map((hit) => hit.id)).toEqual(truth.map((hit) => hit.id))
      for (const [n, hit] of found.entries()) expect(hit.score).toBeCloseTo(truth[n]!.score, 4)
    }
  })

  it('unfiltered and minScore: nothing below the threshold, nothing above it missed', async () => {
    const { store, vectors, queries } = exactStore
    const q = queries[0]!
    const truth = bruteForce(vectors, q, 50, () => true, 0.5)
    const found = await store.nearest({ model: MODEL, vector: q, k: 50, minScore: 0.5 })
    expect(found.map((hit) => hit.id)).toEqual(truth.map((hit) => hit.id))
    expect(found.every((hit) => hit.score >= 0.5)).toBe(true)
    expect(await store.nearest({ model: MODEL, vector: q, k: 5, minScore: 1.01 })).toEqual([])
  })

  it('HNSW path (graph loaded, small exact threshold): every selectivity gets k matches (or all), honours the filter, recall ≥ 0.97', async () => {
    const dir = tempDir()
    const { store, vectors, ids, queries } = await library(dir, { memoryIndex: true, vectors: { exactBelow: 20, expansionSearch: 128 } })
    await store.warmUp()
    expect((await store.vectorIndexStats())[0]).toMatchObject({ model: MODEL, dims: DIMS, vectors: COUNT, indexed: COUNT, state: 'ready', pending: 0 })
    const index = new Map(ids.map((id, i) => [id, i]))
    let agree = 0
    let total = 0
    for (const [, text, keep] of FILTERS) {
      for (const q of queries) {
        const found = await store.nearest({ model: MODEL, vector: q, k: 10, query: query(text) })
        const truth = bruteForce(vectors, q, 10, (id) => keep(index.get(id)!))
        expect(found).toHaveLength(truth.length)
        for (const hit of found) expect(keep(index.get(hit.id)!)).toBe(true)
        // Each score is the image's true cosine up to float16 rounding; which images is the graph's approximation.
        for (const hit of found) expect(Math.abs(hit.score - dot(vectors.get(hit.id)!, q))).toBeLessThan(3e-3)
        const truthIds = new Set(truth.map((hit) => hit.id))
        agree += found.filter((hit) => truthIds.has(hit.id)).length
        total += truth.length
      }
    }
    expect(agree / total).toBeGreaterThan(0.97)
  }, 60_000)

  it('a tag query the memory index settles (bitset) and one it shares with SQL give the filtered top-k', async () => {
    const dir = tempDir()
    const store = open(dir, { memoryIndex: true, vectors: { exactBelow: 10 } })
    const data = clusteredVectors({ count: 400, dims: DIMS, centroids: 5, noise: 0.5, seed: 3 })
    const vectors = new Map<number, Float32Array>()
    const sevens = new Set<number>()
    for (let i = 0; i < 400; i++) {
      const id = await store.saveImage(image(i))
      if (i % 7 === 0) {
        await store.setTags(id, [{ name: 'seven', category: 'general', score: 0.9 }])
        sevens.add(id)
      }
      await store.saveEmbedding(id, MODEL, data.subarray(i * DIMS, (i + 1) * DIMS))
      vectors.set(id, data.slice(i * DIMS, (i + 1) * DIMS))
    }
    await store.warmUp()
    const q = data.subarray(0, DIMS)
    const tagged = await store.nearest({ model: MODEL, vector: q, k: 5, query: query('tags.seven') })
    expect(tagged.map((hit) => hit.id)).toEqual(bruteForce(vectors, q, 5, (id) => sevens.has(id)).map((hit) => hit.id))
    const mixed = await store.nearest({ model: MODEL, vector: q, k: 5, query: query('tags.seven, filesize;<=200') })
    const widths = new Map([...vectors.keys()].map((id, i) => [id, i]))
    expect(mixed.map((hit) => hit.id)).toEqual(bruteForce(vectors, q, 5, (id) => sevens.has(id) && widths.get(id)! % 1000 < 200).map((hit) => hit.id))
  })

  it('updates: a re-saved embedding moves, a removed image and a replaced file leave the results, in SQLite and the graph', async () => {
    const dir = tempDir()
    const store = open(dir, { memoryIndex: true, vectors: { exactBelow: 0 } })
    const a = await store.saveImage(image(1))
    const b = await store.saveImage(image(2))
    const c = await store.saveImage(image(3))
    const x = unit([1, 0, 0, 0])
    await store.saveEmbedding(a, MODEL, x)
    await store.saveEmbedding(b, MODEL, unit([0, 1, 0, 0]))
    await store.saveEmbedding(c, MODEL, unit([0, 0, 1, 0]))
    await store.warmUp()
    expect((await store.nearest({ model: MODEL, vector: x, k: 1 }))[0]!.id).toBe(a)
    await store.saveEmbedding(b, MODEL, unit([1, 0.01, 0, 0]))
    await store.saveEmbedding(a, MODEL, unit([0, 0, 0, 1]))
    expect((await store.nearest({ model: MODEL, vector: x, k: 1 }))[0]!.id).toBe(b)
    expect(Array.from((await store.getEmbedding(a, MODEL))!)).toEqual([0, 0, 0, 1])
    await store.removeImages([b])
    expect(await store.getEmbedding(b, MODEL)).toBeUndefined()
    expect((await store.nearest({ model: MODEL, vector: x, k: 3 })).map((hit) => hit.id)).not.toContain(b)
    expect((await store.vectorIndexStats())[0]).toMatchObject({ vectors: 2, indexed: 2 })
    // New content at the same path: the old embedding no longer applies.
    await store.saveImage({ ...image(3), hash: 'changed' })
    expect(await store.getEmbedding(c, MODEL)).toBeUndefined()
    expect(await store.imagesWithoutEmbedding(MODEL, 10)).toEqual([c])
    expect((await store.nearest({ model: MODEL, vector: x, k: 3 })).map((hit) => hit.id)).toEqual([a])
  })

  it('persists the graph across reopening and catches up with another connection\'s writes', async () => {
    const dir = tempDir()
    const { store, queries } = await library(dir, { memoryIndex: true, vectors: { exactBelow: 0 } })
    await store.warmUp()
    await store.close()
    const saved = readdirSync(join(dir, 'vectors'))
    expect(saved).toHaveLength(1)
    const files = readdirSync(join(dir, 'vectors', saved[0]!))
    expect(files.filter((name) => name.endsWith('.usearch'))).toHaveLength(1)

    const server = open(dir, { memoryIndex: true, vectors: { exactBelow: 0 } })
    await server.warmUp()
    expect((await server.vectorIndexStats())[0]).toMatchObject({ indexed: COUNT, state: 'ready', pending: 0 })
    const before = await server.nearest({ model: MODEL, vector: queries[0]!, k: 3 })

    // Another process (a CLI import) writes: the server's graph is behind, then takes the changes.
    const cli = open(dir)
    const id = await cli.saveImage(image(COUNT + 1))
    await cli.saveEmbedding(id, MODEL, queries[0]!)
    await cli.removeImages([before[1]!.id])
    const after = await server.nearest({ model: MODEL, vector: queries[0]!, k: 3 })
    expect(after[0]).toMatchObject({ id })
    expect(after[0]!.score).toBeCloseTo(1, 3)
    expect(after.map((hit) => hit.id)).not.toContain(before[1]!.id)
    expect((await server.vectorIndexStats())[0]).toMatchObject({ indexed: COUNT, pending: 0 })
  }, 60_000)

  it('prunes the change log up to the saved index, and an index in memory older than that reloads', async () => {
    const dir = tempDir()
    const logRows = () => {
      const db = new Database(join(dir, 'sagasu.db'), { readonly: true })
      try {
        return db.prepare('SELECT count(*) FROM embedding_changes').pluck().get() as number
      } finally {
        db.close()
      }
    }
    const { store, queries } = await library(dir, { memoryIndex: true, vectors: { exactBelow: 0 } })
    expect(logRows()).toBeGreaterThanOrEqual(COUNT)
    await store.warmUp()
    await store.close()
    expect(logRows()).toBe(0)

    const server = open(dir, { memoryIndex: true, vectors: { exactBelow: 0 } })
    await server.warmUp()
    // Another long-running process writes, saves its index and prunes the log past the server's index.
    const other = open(dir, { memoryIndex: true, vectors: { exactBelow: 0 } })
    await other.warmUp()
    const id = await other.saveImage(image(COUNT + 1))
    await other.saveEmbedding(id, MODEL, queries[1]!)
    await other.close()
    expect(logRows()).toBe(0)
    const found = await server.nearest({ model: MODEL, vector: queries[1]!, k: 1 })
    expect(found[0]).toMatchObject({ id })
    expect((await server.vectorIndexStats())[0]).toMatchObject({ indexed: COUNT + 1, state: 'ready', pending: 0 })
    await server.close()
  }, 60_000)

  it('a rebuild equals the incremental graph and replaces the file atomically', async () => {
    const dir = tempDir()
    const { store, queries } = await library(dir, { memoryIndex: true, vectors: { exactBelow: 0 } })
    await store.warmUp()
    const incremental = await Promise.all(queries.map((q) => store.nearest({ model: MODEL, vector: q, k: 10 })))
    const progress: number[] = []
    const [stats] = await store.rebuildVectorIndex({ model: MODEL, onProgress: (_model, done) => progress.push(done) })
    expect(stats).toMatchObject({ model: MODEL, vectors: COUNT, indexed: COUNT, pending: 0 })
    expect(progress.at(-1)).toBe(COUNT)
    const rebuilt = await Promise.all(queries.map((q) => store.nearest({ model: MODEL, vector: q, k: 10 })))
    let same = 0
    for (const [n, hits] of rebuilt.entries()) same += hits.filter((hit) => incremental[n]!.some((other) => other.id === hit.id)).length
    expect(same / (10 * queries.length)).toBeGreaterThan(0.97)
    const folder = join(dir, 'vectors', readdirSync(join(dir, 'vectors'))[0]!)
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([])
  }, 60_000)

  it('estimates the size of the graph and int8 copy it saves', async () => {
    const dir = tempDir()
    const { store } = await library(dir, { memoryIndex: true })
    await store.rebuildVectorIndex()
    const [stats] = await store.vectorIndexStats()
    const folder = join(dir, 'vectors', readdirSync(join(dir, 'vectors'))[0]!)
    const saved = readdirSync(folder).filter((name) => name.endsWith('.usearch') || name.endsWith('.bin'))
    expect(saved).toHaveLength(2)
    expect(stats!.fileBytes).toBe(saved.reduce((sum, name) => sum + statSync(join(folder, name)).size, 0))
    const estimate = estimateIndex({ count: COUNT, dims: DIMS, connectivity: 32 })
    expect(Math.abs(estimate.diskBytes - stats!.fileBytes) / stats!.fileBytes).toBeLessThan(0.02)
  }, 60_000)

  it('refuses bad input with a clear error and stores nothing', async () => {
    const store = open(tempDir())
    const id = await store.saveImage(image(1))
    await store.saveEmbedding(id, MODEL, unit([1, 0, 0, 0]))
    await expect(store.saveEmbedding(id, MODEL, unit([1, 0, 0]))).rejects.toThrow(new VectorInputError('the vector has 3 dimensions; model "clip-test" has 4'))
    await expect(store.saveEmbedding(id, MODEL, new Float32Array([3, 0, 0, 0]))).rejects.toThrow(/must be L2-normalised/)
    await expect(store.saveEmbedding(id, MODEL, new Float32Array([Number.NaN, 0, 0, 0]))).rejects.toThrow(/non-finite value at index 0/)
    await expect(store.saveEmbedding(id, '', unit([1, 0, 0, 0]))).rejects.toThrow(VectorInputError)
    expect(Array.from((await store.getEmbedding(id, MODEL))!)).toEqual([1, 0, 0, 0])
    await expect(store.nearest({ model: MODEL, vector: unit([1, 0]), k: 1 })).rejects.toThrow(/2 dimensions; model "clip-test" has 4/)
    for (const k of [0, -1, 1.5, 10_001, Number.NaN]) await expect(store.nearest({ model: MODEL, vector: unit([1, 0, 0, 0]), k })).rejects.toThrow(/k must be an integer from 1 to 10000/)
    await expect(store.nearest({ model: MODEL, vector: unit([1, 0, 0, 0]), k: 1, minScore: Number.NaN })).rejects.toThrow(/minScore/)
    expect(await store.nearest({ model: 'unknown-model', vector: unit([1, 0]), k: 3 })).toEqual([])
    // An image removed before its embedding arrives is skipped, not an error.
    await store.saveEmbedding(id + 100, MODEL, unit([1, 0, 0, 0]))
    expect(await store.getEmbedding(id + 100, MODEL)).toBeUndefined()
  })
})

describe('synthetic vectors', () => {
  it('are seeded, unit length and about 0.8 cosine from their centroid at the CLIP-like noise', () => {
    const a = clusteredVectors({ count: 50, dims: 64, centroids: 4, noise: 0.75, seed: 1 })
    expect(clusteredVectors({ count: 50, dims: 64, centroids: 4, noise: 0.75, seed: 1 })).toEqual(a)
    const v = a.subarray(0, 64)
    expect(Math.hypot(...v)).toBeCloseTo(1, 5)
    expect(seededRandom(1)()).toBe(seededRandom(1)())
  })
})

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0
  for (let d = 0; d < a.length; d++) sum += a[d]! * b[d]!
  return sum
}

function unit(values: number[]): Float32Array {
  const norm = Math.hypot(...values)
  return new Float32Array(values.map((v) => v / norm))
}
