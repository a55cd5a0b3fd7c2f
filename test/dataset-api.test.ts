import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchSetInfo, DatasetBatch, DatasetImage, DatasetImagePage, DatasetSample, DatasetSplit, DatasetStats } from '../shared/types/dataset'
import type { TagInfo } from '../shared/types/image'
import { openApiDocument, resolvePointer, schemaProblems } from '../server/openapi/openapi-document'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import { runCli } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { startServer, type RunningServer } from './helpers/server'

const SPLITS: DatasetSplit[] = ['train', 'validation', 'test']
const document = openApiDocument('test')

/** 30 plain images and 10 pixiv ones; `from` shifts the colours (so the contents) for later additions. */
async function writeLibrary(lib: string, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const name = i % 4 === 0 ? `sub dir/1000_${5000 + i}_p0.png` : `img ${i}.png`
    await writeImage(join(lib, name), { color: colorOf(i), width: 16 + (i % 5), height: 16 })
  }
}

async function importLibrary(config: string): Promise<void> {
  const result = await runCli(['--config', config, 'import'])
  expect(result.code, result.stderr).toBe(0)
}

describe('the dataset API on the built server', () => {
  let dir: string
  let lib: string
  let config: string
  let server: RunningServer
  const tagged: Record<string, number> = {}

  const start = async () => {
    server = await startServer(['--config', config], { waitFor: /Listening/, env: { SAGASU_WATCH: 'false' } })
  }

  /** The JSON schema the document gives for a status of an operation. */
  function documentedSchema(route: { path: string; method: string }, status: number): unknown {
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>
    let response = paths[route.path]?.[route.method]?.responses[String(status)] as { $ref?: string; content?: Record<string, { schema: unknown }> } | undefined
    if (response?.$ref) response = resolvePointer(document, response.$ref) as typeof response
    return response?.content?.['application/json']?.schema
  }

  /** Fetches JSON, expects the status, and holds the body to the documented schema of that status. */
  async function call<T>(path: string, status: number, init: RequestInit = {}, documented?: { path: string; method: string }): Promise<T> {
    const response = await fetch(`${server.url}${path}`, init)
    const body = (await response.json()) as T
    expect(response.status, `${path}: ${JSON.stringify(body)}`).toBe(status)
    const route = documented ?? { path: path.split('?')[0]!, method: (init.method ?? 'get').toLowerCase() }
    const schema = documentedSchema(route, status)
    expect(schema, `${route.method} ${route.path} documents ${status}`).toBeDefined()
    expect(schemaProblems(document, schema, body), path).toEqual([])
    return body
  }

  const post = (body: unknown) => ({ method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } })
  const infoRoute = { path: '/api/dataset/batches/{id}', method: 'get' }
  const batchRoute = { path: '/api/dataset/batches/{id}/{split}/{n}', method: 'get' }

  async function createSet(body: Record<string, unknown>): Promise<string> {
    return (await call<{ id: string }>('/api/dataset/batches', 201, post(body))).id
  }

  /** Every batch of a set: split → batches → image ids. */
  async function readAll(id: string): Promise<Record<DatasetSplit, number[][]>> {
    const info = await call<BatchSetInfo>(`/api/dataset/batches/${id}`, 200, {}, infoRoute)
    const out = { train: [], validation: [], test: [] } as Record<DatasetSplit, number[][]>
    for (const split of SPLITS) {
      for (let n = 0; n < info[`${split}_batches`]; n++) {
        const batch = await call<DatasetBatch>(`/api/dataset/batches/${id}/${split}/${n}`, 200, {}, batchRoute)
        out[split].push(batch.result.map((image) => image.id))
      }
    }
    return out
  }

  beforeAll(async () => {
    dir = tempDir()
    lib = join(dir, 'lib')
    await writeLibrary(lib, 0, 40)
    config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' })
    await importLibrary(config)
    // The tagger stage is not built yet: write its output through the store, as it will.
    const store = openSqliteStore(join(dir, 'data'))
    try {
      for (let id = 1; id <= 40; id++) {
        const tags = [
          { name: 'long_hair', category: 'general' as const, score: 0.9 },
          ...(id % 2 ? [{ name: 'a,b "quoted"', category: 'general' as const, score: 0.6 }] : []),
          ...(id % 5 === 0 ? [{ name: '100%_orange_juice', category: 'general' as const, score: 0.7 }, { name: 'what?#x/y', category: 'meta' as const, score: 0.4 }] : []),
          { name: id % 3 ? 'rating:general' : 'rating:sensitive', category: 'rating' as const, score: 0.8 },
        ]
        await store.setTags(id, tags)
        for (const tag of tags) tagged[tag.name] = (tagged[tag.name] ?? 0) + 1
      }
    } finally {
      await store.close()
    }
    await start()
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('reports stats: images, tags and ratings in use, images per type', async () => {
    const stats = await call<DatasetStats>('/api/dataset/stats', 200)
    expect(stats).toEqual({ num_images: 40, num_tags: Object.keys(tagged).length, num_ratings: 2, by_type: { pixiv: 10, twitter: 0, yandere: 0, danbooru: 0, other: 30 } })
  })

  it('describes a tag by exact name, encoded names included; unknown → 404, too long → 400', async () => {
    for (const name of Object.keys(tagged)) {
      const tag = await call<TagInfo>(`/api/dataset/tags/${encodeURIComponent(name)}`, 200, {}, { path: '/api/dataset/tags/{name}', method: 'get' })
      expect(tag).toEqual({ name, category: name.startsWith('rating:') ? 'rating' : name.startsWith('what') ? 'meta' : 'general', count: tagged[name] })
    }
    const unknown = await call<{ error: { message: string } }>('/api/dataset/tags/no_such_tag', 404, {}, { path: '/api/dataset/tags/{name}', method: 'get' })
    expect(unknown.error.message).toBe('no tag named "no_such_tag"')
    await call(`/api/dataset/tags/${'x'.repeat(501)}`, 400, {}, { path: '/api/dataset/tags/{name}', method: 'get' })
    await call('/api/dataset/tags/%E0%A4%A', 400, {}, { path: '/api/dataset/tags/{name}', method: 'get' })
  })

  it('draws seeded samples: reproducible, different per seed, within the query, with a drawn seed when none is given', async () => {
    const a = await call<DatasetSample>('/api/dataset/images/random?count=8&seed=42', 200)
    expect(a).toMatchObject({ count: 8, total: 40, seed: 42 })
    expect(new Set(a.result.map((image) => image.id)).size).toBe(8)
    expect((await call<DatasetSample>('/api/dataset/images/random?count=8&seed=42', 200)).result).toEqual(a.result)
    expect((await call<DatasetSample>('/api/dataset/images/random?count=8&seed=43', 200)).result.map((image) => image.id)).not.toEqual(a.result.map((image) => image.id))
    expect((await call<DatasetSample>('/api/dataset/images/random?count=8&seed=my-run', 200)).seed).toBe('my-run')
    const pixiv = await call<DatasetSample>(`/api/dataset/images/random?count=50&seed=1&q=${encodeURIComponent('type;=pixiv')}`, 200)
    expect(pixiv).toMatchObject({ count: 10, total: 10 })
    expect(pixiv.result.every((image) => image.type === 'pixiv' && image.source_url === `https://www.pixiv.net/artworks/${image.illustid}`)).toBe(true)
    const drawn = await call<DatasetSample>('/api/dataset/images/random?count=5', 200)
    expect(drawn.seed).toEqual(expect.any(Number))
    expect((await call<DatasetSample>(`/api/dataset/images/random?count=5&seed=${drawn.seed}`, 200)).result).toEqual(drawn.result)
  })

  it('pages over every image once, in id order', async () => {
    const ids: number[] = []
    for (let page = 0; page < 5; page++) {
      const got = await call<DatasetImagePage>(`/api/dataset/images?page=${page}&size=12`, 200)
      expect(got).toMatchObject({ total: 40, page, size: 12, count: Math.max(0, Math.min(12, 40 - page * 12)) })
      ids.push(...got.result.map((image) => image.id))
    }
    expect(ids).toEqual(Array.from({ length: 40 }, (_, k) => k + 1))
    const first = (await call<DatasetImagePage>(`/api/dataset/images?size=1&q=${encodeURIComponent('tags.100%_orange_juice')}`, 200)).result[0]!
    expect(first).toMatchObject({ id: 5, rating: 'general', tags: ['long_hair', '100%_orange_juice', 'a,b "quoted"', 'what?#x/y'], tags1: [] })
  })

  it('serves the files and thumbnails a result points at', async () => {
    const { result } = await call<DatasetImagePage>(`/api/dataset/images?size=1&q=${encodeURIComponent('type;=pixiv')}`, 200)
    const image: DatasetImage = result[0]!
    expect(image.file_url).toBe(`/files/lib/sub%20dir/${encodeURIComponent(image.path.split('/')[1]!)}`)
    expect((await fetch(`${server.url}${image.file_url}`)).status).toBe(200)
    expect((await fetch(`${server.url}${image.thumb_url}`)).status).toBe(200)
  })

  it('answers bad sample and page parameters with 400 naming them', async () => {
    for (const [path, word] of [
      ['/api/dataset/images/random?count=0', 'count'], ['/api/dataset/images/random?count=501', 'count'], ['/api/dataset/images/random?count=abc', 'count'],
      ['/api/dataset/images/random?count=1.5', 'count'], ['/api/dataset/images/random?seed=', 'seed'], ['/api/dataset/images/random?bogus=1', 'bogus'],
      ['/api/dataset/images?page=-1', 'page'], ['/api/dataset/images?size=0', 'size'], ['/api/dataset/images?size=501', 'size'], ['/api/dataset/images?page=x', 'page'],
      ['/api/dataset/images?bogus=1', 'bogus'],
    ] as const) {
      const body = await call<{ error: { message: string } }>(path, 400)
      expect(body.error.message, path).toContain(word)
    }
    const query = await call<{ error: { message: string; position: number } }>(`/api/dataset/images/random?q=${encodeURIComponent('width;>1, widht;>2')}`, 400)
    expect(query.error.position).toBe(10)
    expect((await call<{ error: { position: number } }>(`/api/dataset/images?q=${encodeURIComponent('(width;>1')}`, 400)).error.position).toEqual(expect.any(Number))
  })

  it('creates a batch set that uses every matching image exactly once, listed and described', async () => {
    const id = await createSet({ batch_size: 4, validation_split: 20, test_split: 20, seed: 7, q: 'tags.long_hair' })
    expect(id).toMatch(/^[0-9a-f]{32}$/)
    expect((await call<{ ids: string[] }>('/api/dataset/batches', 200)).ids).toContain(id)
    const info = await call<BatchSetInfo>(`/api/dataset/batches/${id}`, 200, {}, infoRoute)
    expect(info).toMatchObject({ id, batch_size: 4, validation_split: 20, test_split: 20, seed: 7, q: 'tags.long_hair', total_images: 40 })
    expect(info.created_at).toBeGreaterThan(Date.now() - 600_000)
    for (const split of SPLITS) expect(info[`${split}_batches`]).toBe(Math.ceil(info[`${split}_images`] / 4))
    const all = await readAll(id)
    expect(SPLITS.flatMap((split) => all[split].flat()).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, k) => k + 1))
    expect(await readAll(await createSet({ batch_size: 4, validation_split: 20, test_split: 20, seed: '7', q: 'tags.long_hair' }))).toEqual(all)
  })

  it('answers bad batch-set bodies with 400 naming the parameter, and stores nothing', async () => {
    const before = (await call<{ ids: string[] }>('/api/dataset/batches', 200)).ids
    for (const [body, word] of [
      [{}, 'batch_size'], [{ batch_size: 0 }, 'batch_size'], [{ batch_size: -5 }, 'batch_size'], [{ batch_size: 2.5 }, 'batch_size'], [{ batch_size: '64' }, 'batch_size'],
      [{ batch_size: 10_001 }, 'batch_size'],
      [{ batch_size: 4, validation_split: -1 }, 'validation_split'], [{ batch_size: 4, test_split: 101 }, 'test_split'], [{ batch_size: 4, test_split: '10' }, 'test_split'],
      [{ batch_size: 4, validation_split: 60, test_split: 50 }, 'validation_split + test_split'],
      [{ batch_size: 4, seed: -1 }, 'seed'], [{ batch_size: 4, seed: 1.5 }, 'seed'], [{ batch_size: 4, seed: 2 ** 53 }, 'seed'], [{ batch_size: 4, seed: true }, 'seed'], [{ batch_size: 4, seed: '' }, 'seed'],
      [{ batch_size: 4, shuffle: true }, 'shuffle'], [{ batch_size: 4, q: 5 }, 'q'],
      [{ batch_size: 4, q: 'width;>100000' }, 'matches no image'],
      [[1, 2], 'JSON object'], ['{"batch_size": ', 'not valid JSON'], ['null', 'JSON object'],
    ] as const) {
      const error = await call<{ error: { message: string } }>('/api/dataset/batches', 400, post(body), { path: '/api/dataset/batches', method: 'post' })
      expect(error.error.message, JSON.stringify(body)).toContain(word)
    }
    const query = await call<{ error: { position: number; hint?: string } }>('/api/dataset/batches', 400, post({ batch_size: 4, q: 'widht;>1' }), { path: '/api/dataset/batches', method: 'post' })
    expect(query.error).toMatchObject({ position: 0, hint: expect.stringContaining('width') })
    expect((await call<{ ids: string[] }>('/api/dataset/batches', 200)).ids).toEqual(before)
  })

  it('answers bad batch routes: malformed → 400, unknown → 404, n past the last batch → 404', async () => {
    const id = await createSet({ batch_size: 10, validation_split: 0, test_split: 0, seed: 1 })
    const unknown = 'f'.repeat(32)
    for (const [path, status, word] of [
      [`/api/dataset/batches/${unknown}`, 404, 'no batch set'], ['/api/dataset/batches/nope', 400, '32 hex'],
      [`/api/dataset/batches/${unknown}/train/0`, 404, 'no batch set'], [`/api/dataset/batches/${id}/dev/0`, 400, 'split'],
      [`/api/dataset/batches/${id}/train/-1`, 400, 'n must'], [`/api/dataset/batches/${id}/train/1.5`, 400, 'n must'], [`/api/dataset/batches/${id}/train/x`, 400, 'n must'],
      [`/api/dataset/batches/${id}/train/4`, 404, '4 train batches (numbered 0 to 3)'], [`/api/dataset/batches/${id}/test/0`, 404, '0 test batches'],
    ] as const) {
      const route = path.split('/').length > 5 ? batchRoute : infoRoute
      const body = await call<{ error: { message: string } }>(path, status, {}, route)
      expect(body.error.message, path).toContain(word)
    }
    expect((await call<DatasetBatch>(`/api/dataset/batches/${id}/train/3`, 200, {}, batchRoute)).count).toBe(10)
    const deleteRoute = { path: '/api/dataset/batches/{id}', method: 'delete' }
    expect((await fetch(`${server.url}/api/dataset/batches/${id}`, { method: 'DELETE' })).status).toBe(204)
    await call(`/api/dataset/batches/${id}`, 404, { method: 'DELETE' }, deleteRoute)
    await call('/api/dataset/batches/nope', 400, { method: 'DELETE' }, deleteRoute)
  })

  it('keeps batch sets across a restart, keeps old images in their splits as the library grows, and counts deleted images as missing', async () => {
    const params = { batch_size: 5, validation_split: 25, test_split: 25, seed: 99 }
    const id = await createSet(params)
    const before = await readAll(id)

    await server.stop()
    await start()
    expect((await call<{ ids: string[] }>('/api/dataset/batches', 200)).ids).toContain(id)
    expect(await readAll(id)).toEqual(before)

    await writeLibrary(lib, 100, 24)
    await importLibrary(config)
    expect((await call<DatasetStats>('/api/dataset/stats', 200)).num_images).toBe(64)
    const grown = await readAll(await createSet(params))
    for (const split of SPLITS) {
      const old = new Set(before[split].flat())
      expect(grown[split].flat().filter((image) => old.has(image)), split).toEqual(before[split].flat())
    }
    expect(SPLITS.flatMap((split) => grown[split].flat())).toHaveLength(64)

    // Delete one member's file; the snapshot keeps its place empty and says so.
    const victim = before.train[0]![1]!
    const { result } = await call<DatasetImagePage>(`/api/dataset/images?size=1&q=${encodeURIComponent(`id;=${victim}`)}`, 200)
    rmSync(join(lib, result[0]!.path))
    await importLibrary(config)
    const batch = await call<DatasetBatch>(`/api/dataset/batches/${id}/train/0`, 200, {}, batchRoute)
    expect(batch).toMatchObject({ count: before.train[0]!.length - 1, missing: 1 })
    expect(batch.result.map((image) => image.id)).toEqual(before.train[0]!.filter((image) => image !== victim))
    expect(await call<BatchSetInfo>(`/api/dataset/batches/${id}`, 200, {}, infoRoute)).toMatchObject({ total_images: 40 })
  })
})
