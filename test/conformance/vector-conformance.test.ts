/**
 * Vector search conformance: the embedded store (SQLite + its int8 HNSW index) and the servers
 * store (FerretDB + a real Milvus 2.3 test server) hold the same embeddings and must return the
 * same top-k for the same query, with and without filters — filters Milvus can run itself
 * (scalar fields), filters only MongoDB can (tags, text: an id list), and a similarity floor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSearch } from '../../server/search/search-images'
import { openSqliteStore } from '../../server/store/embedded/sqlite-store'
import { compileMilvusFilter, vectorScalarsFor } from '../../server/store/servers/milvus-filter'
import { openMilvusVectors } from '../../server/store/servers/milvus-vectors'
import { openServersStore } from '../../server/store/servers/open-servers-store'
import type { Store } from '../../server/store/store'
import { startFerretDb, type FerretDbServer } from '../helpers/ferretdb'
import { tempDir } from '../helpers/library'
import { startMilvus, type MilvusTestServer } from '../helpers/milvus'
import { clusteredVectors } from '../helpers/synthetic-vectors'
import { generateLibrary } from './library'

const COUNT = 160
const DIMS = 32
const MODEL = 'clip-conformance'
const NOW = Date.UTC(2024, 0, 31, 12, 0, 0)

describe('vector search conformance: embedded and servers (FerretDB + Milvus) give the same top-k', () => {
  let ferret: FerretDbServer
  let milvus: MilvusTestServer
  let embedded: Store
  let servers: Store
  const vectors = clusteredVectors({ count: COUNT, dims: DIMS, centroids: 8, noise: 0.75, seed: 5 })
  const queries = clusteredVectors({ count: 6, dims: DIMS, centroids: 8, noise: 0.75, seed: 5, offset: 3 })
  const query = (q: number) => queries.slice(q * DIMS, (q + 1) * DIMS)

  beforeAll(async () => {
    ;[ferret, milvus] = await Promise.all([startFerretDb(), startMilvus()])
    embedded = openSqliteStore(tempDir(), { memoryIndex: true })
    servers = openServersStore({
      url: ferret.url,
      database: 'sagasu_vectors',
      serverSelectionTimeoutMS: 3_000,
      vectors: await openMilvusVectors({ address: milvus.address }),
      vectorFilterFor: compileMilvusFilter,
      vectorScalarsFor,
    })
    const library = generateLibrary(COUNT)
    const vectorOf = (n: number) => vectors.slice(n * DIMS, (n + 1) * DIMS)
    for (const store of [embedded, servers]) {
      // Half one by one, half in batch writes (as the pipeline saves them).
      for (const [n, { input, tags }] of library.slice(0, COUNT / 2).entries()) {
        const id = await store.saveImage(input)
        expect(id).toBe(n + 1)
        if (tags.length) await store.setTags(id, tags)
        await store.saveEmbedding(id, MODEL, vectorOf(n))
      }
      const rest = library.slice(COUNT / 2)
      const ids = await store.saveImages(rest.map((image) => image.input))
      expect(ids).toEqual(rest.map((_, n) => COUNT / 2 + n + 1))
      await store.setTagsMany(rest.map((image, n) => ({ id: ids[n]!, tags: image.tags })))
      await store.saveEmbeddings(MODEL, ids.map((id) => ({ id, vector: vectorOf(id - 1) })))
    }
    await embedded.warmUp()
  }, 400_000)

  afterAll(async () => {
    await embedded?.close()
    await servers?.close()
    await Promise.all([ferret?.stop(), milvus?.dispose()])
  })

  async function expectSame(queryText: string, k: number, minScore?: number): Promise<void> {
    const filter = queryText ? parseSearch(queryText, '', NOW).query : undefined
    for (let q = 0; q < queries.length / DIMS; q++) {
      const request = { model: MODEL, vector: query(q), k, ...(filter ? { query: filter } : {}), ...(minScore === undefined ? {} : { minScore }) }
      const [a, b] = [await embedded.nearest(request), await servers.nearest(request)]
      expect(b.map((hit) => hit.id), `${queryText || '(all)'} #${q}`).toEqual(a.map((hit) => hit.id))
      b.forEach((hit, n) => expect(hit.score).toBeCloseTo(a[n]!.score, 4))
    }
  }

  it('stores the same vectors', async () => {
    for (const id of [1, 77, COUNT]) {
      const [a, b] = [await embedded.getEmbedding(id, MODEL), await servers.getEmbedding(id, MODEL)]
      expect(Array.from(b!)).toEqual(Array.from(a!).map((value) => expect.closeTo(value, 6)))
    }
  })

  it('answers unfiltered and with a similarity floor the same', async () => {
    await expectSame('', 10)
    await expectSame('', 25, 0.3)
  })

  it('answers filters Milvus runs itself (scalar fields) the same', async () => {
    for (const text of ['width;>=1000', 'type;=pixiv', '!(type;=twitter), height;<1000', 'userid;=12345 | animated;=true']) await expectSame(text, 10)
  })

  it('answers filters only MongoDB can run (tags, text, pixiv) the same: the matches as an id list', async () => {
    for (const text of ['tags.long_hair;>=0.8', 'tags.smile, !tags.1girl', 'width;>=1000, tags.red_hair', 'prompt;masterpiece']) await expectSame(text, 10)
  })

  it('stores none of a batch with a bad vector, in both', async () => {
    const good = query(0)
    const bad = new Float32Array(DIMS).fill(1)
    for (const store of [embedded, servers]) {
      const before = await store.getEmbedding(3, MODEL)
      await expect(store.saveEmbeddings(MODEL, [{ id: 3, vector: good }, { id: 4, vector: bad }])).rejects.toThrow(/unit length|normalised|norm/i)
      expect(Array.from((await store.getEmbedding(3, MODEL))!)).toEqual(Array.from(before!))
    }
  })

  it('leaves removed images out in both', async () => {
    const first = await embedded.nearest({ model: MODEL, vector: query(0), k: 3 })
    for (const store of [embedded, servers]) await store.removeImages([first[0]!.id])
    await expectSame('', 10)
    expect((await servers.nearest({ model: MODEL, vector: query(0), k: 3 })).map((hit) => hit.id)).not.toContain(first[0]!.id)
  })
})
