import { Query } from 'mingo'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImageRecord } from '../../../shared/types/image'
import { startMilvus, type MilvusTestServer } from '../../../test/helpers/milvus'
import { clusteredVectors, seededRandom } from '../../../test/helpers/synthetic-vectors'
import { parseQuery } from '../../query'
import { StoreUnavailableError } from '../store-unavailable-error'
import type { VectorRow } from './backends'
import { toMongoDocument } from './mongo-document'
import { compileMongoFilter } from './mongo-filter'
import { compileMilvusFilter, vectorScalarsFor } from './milvus-filter'
import { openMilvusVectors, type MilvusVectorIndex } from './milvus-vectors'

const DIMS = 64
const COUNT = 3000
const MODEL = 'clip/ViT-B-32 (test)'

/** Synthetic images whose scalar fields cover every value kind, missing optional fields included. */
function syntheticImages(count: number, seed: number): ImageRecord[] {
  const random = seededRandom(seed)
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!
  return Array.from({ length: count }, (_, i) => {
    const id = i + 1
    const image: ImageRecord = {
      id, folder: pick(['art', 'photos', '日本']), path: `${id}.png`, filename: `${id}.png`, ext: 'png', filesize: 1000 + id,
      mtime: 1_600_000_000_000 + id, hash: id.toString(16).padStart(16, '0'), width: 100 + Math.floor(random() * 3000),
      height: 100 + Math.floor(random() * 3000), format: pick(['png', 'jpeg', 'webp']), animated: random() < 0.2, frames: 1,
      type: pick(['pixiv', 'twitter', 'yandere', 'other'] as const), textlen: 0, addedAt: Date.UTC(2019, 0, 1) + Math.floor(random() * 4 * 365) * 86_400_000,
      updatedAt: 0,
    }
    if (random() < 0.5) image.userid = pick(['alice', 'bob', 'a"quote', 'back\\slash'])
    if (random() < 0.6) image.date = Date.UTC(2018, 0, 1) + Math.floor(random() * 5 * 365) * 86_400_000
    if (random() < 0.3) image.ai = { source: 'a1111', prompt: 'girl', raw: 'girl' }
    return image
  })
}

function rowsOf(images: ImageRecord[], vectors: Float32Array): VectorRow[] {
  return images.map((image, i) => ({ id: image.id, vector: vectors.slice(i * DIMS, (i + 1) * DIMS), scalars: vectorScalarsFor(image) }))
}

/** Exact top-k by inner product among `candidates`, best first. */
function exactTopK(rows: VectorRow[], query: Float32Array, k: number, candidates?: Set<number>): number[] {
  return rows
    .filter((row) => !candidates || candidates.has(row.id))
    .map((row) => ({ id: row.id, score: row.vector.reduce((sum, value, d) => sum + value * query[d]!, 0) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((hit) => hit.id)
}

function recall(found: number[], truth: number[]): number {
  const wanted = new Set(truth)
  return found.filter((id) => wanted.has(id)).length / truth.length
}

describe('Milvus vector backend (real Milvus 2.3 test server)', () => {
  let server: MilvusTestServer
  let index: MilvusVectorIndex
  const images = syntheticImages(COUNT, 11)
  const rows = rowsOf(images, clusteredVectors({ count: COUNT, dims: DIMS, centroids: 30, noise: 0.75, seed: 5 }))
  const queries = clusteredVectors({ count: 20, dims: DIMS, centroids: 30, noise: 0.75, seed: 5, offset: 1 })
  const queryAt = (q: number) => queries.slice(q * DIMS, (q + 1) * DIMS)

  beforeAll(async () => {
    server = await startMilvus()
    index = await openMilvusVectors({ address: server.address, index: { M: 16, efConstruction: 64, efSearch: 64 } })
  }, 300_000)

  afterAll(async () => {
    await index?.close()
    await server?.dispose()
  }, 60_000)

  it('creates a collection per model and refuses another dimension for it', async () => {
    expect(await index.search({ model: MODEL, vector: queryAt(0), k: 5 })).toEqual([])
    await index.ensureModel(MODEL, DIMS)
    await index.ensureModel(MODEL, DIMS)
    expect(await index.models()).toEqual([MODEL])
    await expect(index.ensureModel(MODEL, DIMS + 1)).rejects.toThrow(`model ${MODEL} has ${DIMS}-dimensional vectors`)
  })

  it('upserts idempotently, gets vectors back and removes them', async () => {
    await index.upsert(MODEL, rows)
    await index.upsert(MODEL, rows.slice(0, 500))
    const [stats] = await index.stats()
    expect(stats).toMatchObject({ model: MODEL, dims: DIMS, vectors: COUNT })
    const got = await index.get(MODEL, 42)
    expect(got && Array.from(got)).toEqual(Array.from(rows[41]!.vector))
    expect(await index.get(MODEL, COUNT + 1)).toBeUndefined()
    await index.remove([COUNT, COUNT - 1])
    expect(await index.get(MODEL, COUNT)).toBeUndefined()
    expect((await index.stats())[0]!.vectors).toBe(COUNT - 2)
    await index.upsert(MODEL, rows.slice(COUNT - 2))
    expect((await index.stats())[0]!.vectors).toBe(COUNT)
    await expect(index.upsert(MODEL, [{ ...rows[0]!, vector: new Float32Array(3) }])).rejects.toThrow('3-dimensional vector')
    await expect(index.upsert(MODEL, [{ ...rows[0]!, scalars: { ...rows[0]!.scalars, width: 'wide' } }])).rejects.toThrow('vector scalar width must be an integer')
  }, 120_000)

  it('finds the exact neighbours with high recall through the rebuilt HNSW index', async () => {
    const [rebuilt] = await index.rebuild(MODEL)
    expect(rebuilt).toMatchObject({ model: MODEL, vectors: COUNT, indexed: COUNT, state: 'ready', pending: 0 })
    let total = 0
    for (let q = 0; q < 20; q++) {
      const hits = await index.search({ model: MODEL, vector: queryAt(q), k: 10, ef: 128 })
      expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => b - a))
      total += recall(hits.map((hit) => hit.id), exactTopK(rows, queryAt(q), 10))
    }
    expect(total / 20).toBeGreaterThanOrEqual(0.95)
    const best = await index.search({ model: MODEL, vector: queryAt(0), k: 10 })
    const threshold = best[4]!.score
    const above = await index.search({ model: MODEL, vector: queryAt(0), k: 10, minScore: threshold })
    expect(above.length).toBeGreaterThanOrEqual(5)
    expect(above.every((hit) => hit.score >= threshold)).toBe(true)
  }, 300_000)

  it('returns the true top-k among the matches of an expression or an id list', async () => {
    const parsed = parseQuery('width;>=2000, !type;=pixiv')
    if (!parsed.ok) throw new Error(parsed.error.message)
    const expr = compileMilvusFilter(parsed.value)!
    const matching = new Set(images.filter((image) => image.width >= 2000 && image.type !== 'pixiv').map((image) => image.id))
    const random = seededRandom(3)
    const someIds = Array.from({ length: 60 }, () => 1 + Math.floor(random() * COUNT))
    for (let q = 0; q < 10; q++) {
      const byExpr = await index.search({ model: MODEL, vector: queryAt(q), k: 10, filter: { kind: 'expr', expr }, ef: 256 })
      expect(byExpr.every((hit) => matching.has(hit.id))).toBe(true)
      expect(recall(byExpr.map((hit) => hit.id), exactTopK(rows, queryAt(q), 10, matching))).toBeGreaterThanOrEqual(0.9)
      const byIds = await index.search({ model: MODEL, vector: queryAt(q), k: 10, filter: { kind: 'ids', ids: someIds } })
      expect(byIds.map((hit) => hit.id)).toEqual(exactTopK(rows, queryAt(q), 10, new Set(someIds)))
    }
    expect(await index.search({ model: MODEL, vector: queryAt(0), k: 10, filter: { kind: 'ids', ids: [] } })).toEqual([])
  }, 120_000)

  it('matches exactly the images the MongoDB filter matches, for every query it compiles', async () => {
    const documents = images.map(toMongoDocument)
    const queriesText = [
      'type;=pixiv', 'type;!=pixiv', '!type;=pixiv', 'width;>1919.5&<=2500', 'height;<=500 | animated', 'animated;=false',
      'userid;=alice', 'userid;!=alice', '!userid;=alice', 'userid', '!userid', 'userid;="a\\"quote"', 'userid;="back\\\\slash"',
      'date;=2020', 'date;!=2020', '!date;=2020', 'date;>=2021-06-01', '!date', 'added;<2020', 'added;!=2021', 'prompt', '!prompt',
      'folder;=日本, format;=webp', '!(folder;=art | (animated, width;<300))', 'id;<=100', 'width;=1919.5', 'width;!=1919.5',
    ]
    for (const text of queriesText) {
      const parsed = parseQuery(text, { now: Date.UTC(2024, 0, 1) })
      if (!parsed.ok) throw new Error(`${text}: ${parsed.error.message}`)
      const expr = compileMilvusFilter(parsed.value)
      expect(expr, text).toBeDefined()
      const expected = new Query(compileMongoFilter(parsed.value)).find<{ id: number }>(documents).all().map((d) => d.id).sort((a, b) => a - b)
      const hits = await index.search({ model: MODEL, vector: queryAt(0), k: COUNT, filter: { kind: 'expr', expr: expr! }, ef: COUNT })
      expect(hits.map((hit) => hit.id).sort((a, b) => a - b), text).toEqual(expected)
    }
  }, 180_000)

  it('replaces an image\'s scalars in every model without touching its vector', async () => {
    const image = { ...images[6]!, width: 12_345, userid: 'carol' }
    await index.refreshScalars(image.id, vectorScalarsFor(image))
    const hits = await index.search({ model: MODEL, vector: rows[6]!.vector, k: 5, filter: { kind: 'expr', expr: 'width == 12345 and userid == "carol"' } })
    expect(hits.map((hit) => hit.id)).toEqual([image.id])
    expect(hits[0]!.score).toBeCloseTo(1, 4)
  })

  it('reads its own writes: a search right after an upsert finds the row, right after a delete no longer', async () => {
    // Bounded searches (what an idle collection gets) see writes only after Milvus's 5 s graceful time.
    const fresh = clusteredVectors({ count: 3, dims: DIMS, centroids: 3, noise: 0.2, seed: 99 })
    for (let n = 0; n < 3; n++) {
      const id = COUNT + 1 + n
      const vector = fresh.slice(n * DIMS, (n + 1) * DIMS)
      await index.upsert(MODEL, [{ id, vector, scalars: vectorScalarsFor({ ...images[0]!, id }) }])
      const found = await index.search({ model: MODEL, vector, k: 1 })
      expect(found.map((hit) => hit.id)).toEqual([id])
      expect(found[0]!.score).toBeCloseTo(1, 4)
      await index.remove([id])
      const after = await index.search({ model: MODEL, vector, k: 5 })
      expect(after.map((hit) => hit.id)).not.toContain(id)
      expect(after).toHaveLength(5)
    }
  }, 60_000)

  it('keeps its data across a restart of Milvus', async () => {
    await index.close()
    await server.stop()
    await server.start()
    index = await openMilvusVectors({ address: server.address })
    expect(await index.models()).toEqual([MODEL])
    expect((await index.stats())[0]).toMatchObject({ vectors: COUNT, state: 'ready' })
    const got = await index.get(MODEL, 42)
    expect(got && Array.from(got)).toEqual(Array.from(rows[41]!.vector))
    const hits = await index.search({ model: MODEL, vector: queryAt(1), k: 10, ef: 128 })
    expect(recall(hits.map((hit) => hit.id), exactTopK(rows, queryAt(1), 10))).toBeGreaterThanOrEqual(0.9)
  }, 900_000)

  it('fails with an error naming Milvus and its address when the server is down', async () => {
    await server.stop()
    const failure = await index.search({ model: MODEL, vector: queryAt(0), k: 5 }).then(() => undefined, (error: unknown) => error)
    expect(failure).toBeInstanceOf(StoreUnavailableError)
    expect((failure as Error).message).toContain(`Milvus at ${server.address} is unavailable`)
    await expect(openMilvusVectors({ address: server.address, timeout: 5000 })).rejects.toThrow(/^Milvus at .* is unavailable/)
  }, 120_000)
})
