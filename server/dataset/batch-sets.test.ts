import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import xxhash from 'xxhash-wasm'
import type { BatchSetParameters, DatasetSplit } from '../../shared/types/dataset'
import type { ImageInput } from '../../shared/types/image'
import { tempDir } from '../../test/helpers/library'
import { openTempStore } from '../../test/helpers/store'
import { parseSearch } from '../search/search-images'
import { QueryError } from '../search/query-error'
import { openSqliteStore } from '../store/embedded/sqlite-store'
import type { Store } from '../store/store'
import { SPLITS } from './batch-plan'
import { batchCount, batchEntriesOf, batchSetInfo, createBatchSet, fetchBatch, findBatchSet } from './batch-sets'
import { pageImages, sampleImages, toDatasetImage } from './dataset-images'
import { bucketOf, orderOf, sampleKeys, seededKey, splitter } from './seeded-order'

/** A distinct 16-hex content hash per number (the store holds xxhash64 values of this shape). */
const hashOf = (n: number) => (BigInt(n) * 0x9e3779b97f4a7c15n & 0xffff_ffff_ffff_ffffn).toString(16).padStart(16, '0')

function imageInput(n: number, overrides: Partial<ImageInput> = {}): ImageInput {
  return {
    folder: 'lib', path: `img-${n}.png`, filename: `img-${n}.png`, ext: 'png', filesize: 1000 + n, mtime: 1000, hash: hashOf(n),
    width: 100 + n, height: 100, format: 'png', animated: false, frames: 1, type: n % 3 === 0 ? 'pixiv' : 'other',
    ...(n % 3 === 0 ? { illustid: String(n), page: 0 } : {}), ...overrides,
  }
}

async function addImages(store: Store, from: number, to: number): Promise<number[]> {
  const ids: number[] = []
  for (let n = from; n < to; n++) ids.push(await store.saveImage(imageInput(n)))
  return ids
}

const params = (overrides: Partial<BatchSetParameters> = {}): BatchSetParameters => ({ batch_size: 7, validation_split: 15, test_split: 20, seed: 42, q: '', ...overrides })

async function create(store: Store, overrides: Partial<BatchSetParameters> = {}): Promise<string> {
  const created = await createBatchSet(store, params(overrides))
  if (!created.ok) throw new Error(created.message)
  return created.value.id
}

/** Every batch of every split, in order: split → list of batches → image ids. */
async function readAll(store: Store, id: string): Promise<Record<DatasetSplit, number[][]>> {
  const record = (await store.getBatchSet(id))!
  const out = { train: [], validation: [], test: [] } as Record<DatasetSplit, number[][]>
  for (const split of SPLITS) {
    for (let n = 0; n < batchCount(record, split); n++) {
      const batch = await fetchBatch(store, id, split, n)
      if (!batch.ok) throw new Error(batch.message)
      out[split].push(batch.value.result.map((image) => image.id))
    }
  }
  return out
}

describe('batch sets on a real SQLite store', () => {
  let dir: string
  let store: Store
  beforeEach(() => ({ dir, store } = openTempStore()))
  afterEach(() => store.close())

  it('uses every matching image exactly once, in batches of batch_size (the last may be short)', async () => {
    await addImages(store, 0, 300)
    const id = await create(store, { q: 'type;=pixiv' })
    const all = await readAll(store, id)
    const seen = SPLITS.flatMap((split) => all[split].flat())
    const pixiv = (await pageImages(store, { q: 'type;=pixiv', page: 0, size: 500 })).result.map((image) => image.id)
    expect(pixiv).toHaveLength(100)
    expect(seen.toSorted((a, b) => a - b)).toEqual(pixiv.toSorted((a, b) => a - b))
    const info = batchSetInfo((await store.getBatchSet(id))!)
    expect(info.total_images).toBe(100)
    for (const split of SPLITS) {
      const batches = all[split]
      expect(batches).toHaveLength(info[`${split}_batches`])
      expect(batches.flat()).toHaveLength(info[`${split}_images`])
      batches.slice(0, -1).forEach((batch) => expect(batch).toHaveLength(7))
      if (batches.length) expect(batches.at(-1)!.length).toBe(info[`${split}_images`] - 7 * (batches.length - 1))
    }
    expect(info.total_batches).toBe(info.train_batches + info.validation_batches + info.test_batches)
  })

  it('keeps the split proportions near the requested ones', async () => {
    await addImages(store, 0, 800)
    const info = batchSetInfo((await store.getBatchSet(await create(store, { validation_split: 10, test_split: 25, batch_size: 32 })))!)
    expect(info.total_images).toBe(800)
    // Binomial spread on 800 images: one standard deviation is ≤ 1.6 points; allow four.
    expect(Math.abs(info.validation_images / 800 - 0.1)).toBeLessThan(0.045)
    expect(Math.abs(info.test_images / 800 - 0.25)).toBeLessThan(0.065)
    expect(info.train_images).toBe(800 - info.validation_images - info.test_images)
  })

  it('gives the same batches for the same seed and data, and others for another seed; 42 and "42" are one seed', async () => {
    await addImages(store, 0, 120)
    const a = await readAll(store, await create(store))
    expect(await readAll(store, await create(store))).toEqual(a)
    expect(await readAll(store, await create(store, { seed: '42' }))).toEqual(a)
    expect(await readAll(store, await create(store, { seed: 43 }))).not.toEqual(a)
    expect(await readAll(store, await create(store, { seed: 'forty-two' }))).not.toEqual(a)
  })

  it('draws and stores a seed when none is given, and that seed makes the same batches again', async () => {
    await addImages(store, 0, 80)
    const created = await createBatchSet(store, { batch_size: 5, validation_split: 20, test_split: 20, q: '' })
    if (!created.ok) throw new Error(created.message)
    const { seed } = batchSetInfo((await store.getBatchSet(created.value.id))!)
    expect(Number.isSafeInteger(seed)).toBe(true)
    expect(await readAll(store, await create(store, { batch_size: 5, validation_split: 20, test_split: 20, seed }))).toEqual(await readAll(store, created.value.id))
  })

  it('keeps every old image in its old split, in its old relative order, when the library grows', async () => {
    await addImages(store, 0, 200)
    const before = await readAll(store, await create(store))
    await addImages(store, 200, 500)
    const after = await readAll(store, await create(store))
    for (const split of SPLITS) {
      const old = new Set(before[split].flat())
      const kept = after[split].flat().filter((id) => old.has(id))
      expect(kept, split).toEqual(before[split].flat())
    }
    const grown = SPLITS.reduce((sum, split) => sum + after[split].flat().length, 0)
    expect(grown).toBe(500)
  })

  it('places copies of one content in the same split, next to each other', async () => {
    await addImages(store, 0, 50)
    const twin = await store.saveImage(imageInput(7, { path: 'copy/img-7.png', filename: 'img-7.png' }))
    const original = (await store.findByHash(hashOf(7))).find((image) => image.id !== twin)!.id
    const all = await readAll(store, await create(store, { batch_size: 100 }))
    const split = SPLITS.find((s) => all[s].flat().includes(twin))!
    const order = all[split].flat()
    expect(order.indexOf(twin) - order.indexOf(original)).toBe(1)
  })

  it('puts everything in train with 0/0, in validation with 100/0, and leaves train empty with 40/60', async () => {
    await addImages(store, 0, 40)
    const info = async (v: number, t: number) => batchSetInfo((await store.getBatchSet(await create(store, { validation_split: v, test_split: t })))!)
    expect(await info(0, 0)).toMatchObject({ train_images: 40, validation_images: 0, test_images: 0, validation_batches: 0 })
    expect(await info(100, 0)).toMatchObject({ train_images: 0, validation_images: 40, test_images: 0, train_batches: 0 })
    expect(await info(40, 60)).toMatchObject({ train_images: 0, train_batches: 0 })
  })

  it('keeps a snapshot: a deleted image is left out and counted missing, a copy or re-import stands in for it', async () => {
    const ids = await addImages(store, 0, 30)
    const id = await create(store, { batch_size: 100, validation_split: 0, test_split: 0 })
    const before = (await fetchBatch(store, id, 'train', 0))
    if (!before.ok) throw new Error(before.message)
    expect(before.value).toMatchObject({ count: 30, missing: 0 })
    const gone = before.value.result[4]!
    await store.removeImages([gone.id])
    const after = await fetchBatch(store, id, 'train', 0)
    if (!after.ok) throw new Error(after.message)
    expect(after.value).toMatchObject({ count: 29, missing: 1 })
    expect(after.value.result.map((image) => image.id)).toEqual(before.value.result.map((image) => image.id).filter((x) => x !== gone.id))
    // The same content comes back under a new id (re-imported from elsewhere): it takes the old place.
    const reimported = await store.saveImage(imageInput(ids.indexOf(gone.id), { folder: 'other' }))
    const back = await fetchBatch(store, id, 'train', 0)
    if (!back.ok) throw new Error(back.message)
    expect(back.value).toMatchObject({ count: 30, missing: 0 })
    expect(back.value.result[4]!.id).toBe(reimported)
    // New content at the old image's path (same id, other hash) is another picture: not a stand-in.
    const changed = before.value.result[5]!
    await store.saveImage(imageInput(ids.indexOf(changed.id), { hash: 'ffffffffffffffff' }))
    const entries = await batchEntriesOf(store, (await store.getBatchSet(id))!, 'train', 0)
    if (!entries.ok) throw new Error(entries.message)
    expect(entries.value[5]).toEqual({ position: 5, member: { id: changed.id, hash: changed.hash } })
  })

  it('survives closing and reopening the store', async () => {
    await addImages(store, 0, 60)
    const id = await create(store)
    const before = await readAll(store, id)
    await store.close()
    store = openSqliteStore(dir)
    expect(await store.listBatchSets()).toEqual([id])
    expect(await readAll(store, id)).toEqual(before)
    expect(batchSetInfo((await store.getBatchSet(id))!)).toMatchObject({ id, batch_size: 7, validation_split: 15, test_split: 20, seed: 42, q: '' })
  })

  it('stores string seeds, decimal splits and the query as given', async () => {
    await addImages(store, 0, 30)
    const id = await create(store, { seed: 'run 7 ✓', validation_split: 12.5, test_split: 0.5, q: 'width;>=110' })
    expect(batchSetInfo((await store.getBatchSet(id))!)).toMatchObject({ seed: 'run 7 ✓', validation_split: 12.5, test_split: 0.5, q: 'width;>=110', total_images: 20 })
  })

  it('rejects a query that matches nothing, an empty library and a bad query', async () => {
    expect(await createBatchSet(store, params())).toEqual({ ok: false, status: 400, message: expect.stringContaining('no images') })
    await addImages(store, 0, 10)
    expect(await createBatchSet(store, params({ q: 'width;>99999' }))).toEqual({ ok: false, status: 400, message: expect.stringMatching(/^q: the query matches no image/) })
    await expect(createBatchSet(store, params({ q: 'widht;>1' }))).rejects.toBeInstanceOf(QueryError)
    expect(await store.listBatchSets()).toEqual([])
  })

  it('answers 404 for an unknown id and for a batch past the last, naming the range', async () => {
    await addImages(store, 0, 20)
    const id = await create(store, { validation_split: 0, test_split: 0, batch_size: 8 })
    expect(await findBatchSet(store, 'nope')).toEqual({ ok: false, status: 404, message: 'no batch set with id "nope"' })
    expect(await fetchBatch(store, 'nope', 'train', 0)).toMatchObject({ ok: false, status: 404 })
    expect(await fetchBatch(store, id, 'train', 2)).toMatchObject({ ok: true, value: { count: 4 } })
    expect(await fetchBatch(store, id, 'train', 3)).toEqual({ ok: false, status: 404, message: `batch set "${id}" has 3 train batches (numbered 0 to 2); there is no batch 3` })
    expect(await fetchBatch(store, id, 'test', 0)).toEqual({ ok: false, status: 404, message: `batch set "${id}" has 0 test batches (none); there is no batch 0` })
  })

  it('deletes a set with its members', async () => {
    await addImages(store, 0, 10)
    const id = await create(store)
    expect(await store.deleteBatchSet(id)).toBe(true)
    expect(await store.deleteBatchSet(id)).toBe(false)
    expect(await store.getBatchSet(id)).toBeUndefined()
    expect(await store.batchEntries(id, 'train', 0, 100)).toEqual([])
  })

  it('reads matching keys in chunks across the 10 000 boundary, each image once', async () => {
    await addImages(store, 0, 10_050)
    const chunks: number[] = []
    const ids = new Set<number>()
    for await (const chunk of store.matchingImageKeys(parseSearch('').query)) {
      chunks.push(chunk.length)
      for (const key of chunk) ids.add(key.id)
    }
    expect(chunks).toEqual([10_000, 50])
    expect(ids.size).toBe(10_050)
    let pixiv = 0
    for await (const chunk of store.matchingImageKeys(parseSearch('type;=pixiv').query)) pixiv += chunk.length
    expect(pixiv).toBe(3350)
  })
})

describe('seeded samples and pages', () => {
  let store: Store

  beforeEach(() => {
    store = openSqliteStore(tempDir())
  })
  afterEach(() => store.close())

  it('draws the same sample for the same seed, another for another seed, only from matches', async () => {
    await addImages(store, 0, 200)
    const a = await sampleImages(store, { count: 20, seed: 7 })
    expect(a).toMatchObject({ count: 20, total: 200, seed: 7 })
    expect(new Set(a.result.map((image) => image.id)).size).toBe(20)
    expect((await sampleImages(store, { count: 20, seed: 7 })).result).toEqual(a.result)
    expect((await sampleImages(store, { count: 20, seed: 8 })).result.map((image) => image.id)).not.toEqual(a.result.map((image) => image.id))
    const pixiv = await sampleImages(store, { count: 20, seed: 7, q: 'type;=pixiv' })
    expect(pixiv.total).toBe(67)
    expect(pixiv.result.every((image) => image.type === 'pixiv')).toBe(true)
    const drawn = await sampleImages(store, { count: 5 })
    expect(Number.isInteger(drawn.seed)).toBe(true)
    expect((await sampleImages(store, { count: 5, seed: drawn.seed })).result).toEqual(drawn.result)
    expect(await sampleImages(store, { count: 5, seed: 1, q: 'width;>99999' })).toMatchObject({ count: 0, total: 0, result: [] })
  })

  it('returns all matches when asking for more, and a grown library only swaps in new images', async () => {
    await addImages(store, 0, 30)
    expect((await sampleImages(store, { count: 500, seed: 3 })).count).toBe(30)
    const small = (await sampleImages(store, { count: 10, seed: 3 })).result.map((image) => image.id)
    const added = new Set(await addImages(store, 30, 300))
    const grown = (await sampleImages(store, { count: 10, seed: 3 })).result.map((image) => image.id)
    // Old images still in the sample keep their order and are the first of the old sample.
    const stayed = grown.filter((id) => !added.has(id))
    expect(stayed).toEqual(small.slice(0, stayed.length))
  })

  it('pages over every image once, in id order', async () => {
    const ids = await addImages(store, 0, 95)
    const seen: number[] = []
    for (let page = 0; ; page++) {
      const got = await pageImages(store, { page, size: 20 })
      expect(got.total).toBe(95)
      if (!got.count) break
      seen.push(...got.result.map((image) => image.id))
    }
    expect(seen).toEqual(ids)
    await expect(pageImages(store, { q: '(width', page: 0, size: 5 })).rejects.toBeInstanceOf(QueryError)
  })
})

describe('the seeded order', () => {
  it('is xxhash64 of the content hash, seeded with xxhash64 of the seed text', async () => {
    const { h64Raw } = await xxhash()
    const utf8 = (text: string) => new TextEncoder().encode(text)
    for (const seed of [0, 42, 'ありがとう', Number.MAX_SAFE_INTEGER]) {
      const keyOf = await seededKey(seed)
      expect(keyOf('bb1a161164c874de')).toBe(h64Raw(utf8('bb1a161164c874de'), h64Raw(utf8(String(seed)))))
    }
  })

  it('splits by the upper 32 bits against whole-number thresholds: validation first, then test, then train', () => {
    const two32 = 2 ** 32
    const split = splitter({ validation: 10, test: 20 })
    expect(split(0)).toBe('validation')
    expect(split(Math.round(0.1 * two32) - 1)).toBe('validation')
    expect(split(Math.round(0.1 * two32))).toBe('test')
    expect(split(Math.round(0.3 * two32) - 1)).toBe('test')
    expect(split(Math.round(0.3 * two32))).toBe('train')
    expect(split(two32 - 1)).toBe('train')
    // 0.1 + 0.2 is 0.30000000000000004 in floating point; the threshold is still that of 0.3 %.
    expect(splitter({ validation: 0.1, test: 0.2 })(Math.round(0.003 * two32))).toBe('train')
    expect(splitter({ validation: 0, test: 100 })(two32 - 1)).toBe('test')
    expect(splitter({ validation: 0, test: 0 })(0)).toBe('train')
    expect(bucketOf(0xffff_ffff_0000_0000n)).toBe(two32 - 1)
    expect(bucketOf(0x8000_0000_1234_5678n)).toBe(two32 / 2)
    expect(orderOf(0x8000_0000_1234_5678n)).toBe(0x1234_5678)
  })

  it('samples the first of the seed order, whatever the chunking', async () => {
    const keys = Array.from({ length: 1000 }, (_, n) => ({ id: n + 1, hash: hashOf(n) }))
    async function* chunked(size: number) {
      for (let i = 0; i < keys.length; i += size) yield keys.slice(i, i + size)
    }
    const keyOf = await seededKey(5)
    const expected = keys.map((key) => ({ ...key, order: orderOf(keyOf(key.hash)) })).sort((a, b) => a.order - b.order).slice(0, 25)
    expect(await sampleKeys(chunked(1000), 5, 25)).toEqual(expected)
    expect(await sampleKeys(chunked(7), 5, 25)).toEqual(expected)
  })
})

describe('dataset image records', () => {
  it('carry tag names by score without ratings, the top rating, tags1 and encoded URLs', async () => {
    const store = openSqliteStore(tempDir())
    try {
      const id = await store.saveImage(imageInput(1, { folder: 'my pics', path: 'a b/#1?.png', type: 'yandere', postid: '77', tags1: ['x', 'y z'] }))
      await store.setTags(id, [
        { name: 'long_hair', category: 'general', score: 0.6 },
        { name: 'rating:general', category: 'rating', score: 0.3 },
        { name: '1girl', category: 'general', score: 0.95 },
        { name: 'rating:sensitive', category: 'rating', score: 0.7 },
      ])
      const image = toDatasetImage((await store.getImage(id))!)
      expect(image).toMatchObject({
        id, hash: hashOf(1), folder: 'my pics', path: 'a b/#1?.png', file_ext: 'png', file_size: 1001, width: 101, height: 100, type: 'yandere', postid: '77',
        tags: ['1girl', 'long_hair'], rating: 'sensitive', tags1: ['x', 'y z'],
        file_url: '/files/my%20pics/a%20b/%231%3F.png', thumb_url: `/thumbs/${hashOf(1)}.webp`, source_url: 'https://yande.re/post/show/77',
      })
      expect(image).not.toHaveProperty('illustid')
      expect(toDatasetImage({ ...(await store.getImage(id))!, tags: undefined, tags1: undefined })).toMatchObject({ tags: [], tags1: [], rating: null })
    } finally {
      await store.close()
    }
  })
})
