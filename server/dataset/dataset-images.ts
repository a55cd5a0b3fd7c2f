import { randomInt } from 'node:crypto'
import { originalUrl, sourceUrl, thumbnailUrl } from '../../shared/image-urls'
import type { DatasetImage, DatasetImagePage, DatasetSample, DatasetStats, DatasetTag } from '../../shared/types/dataset'
import type { ImageRecord } from '../../shared/types/image'
import { parseSearch } from '../search/search-images'
import type { Store } from '../store/store'
import { ok, rejected, type Outcome } from './outcome'
import { sampleKeys, type Seed } from './seeded-order'

const RATING_PREFIX = 'rating:'

/**
 * An image record as the dataset routes return it.
 *
 * @example
 * toDatasetImage(await store.getImage(17)) // { id: 17, hash: '…', tags: ['long_hair', …], rating: 'general', file_url: '/files/…', … }
 */
export function toDatasetImage(image: ImageRecord): DatasetImage {
  const scored = Object.entries(image.tags ?? {}).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
  const rating = scored.find(([name]) => name.startsWith(RATING_PREFIX))
  const source = sourceUrl(image)
  const optional = { illustid: image.illustid, page: image.page, userid: image.userid, username: image.username, tweetid: image.tweetid, postid: image.postid, md5: image.md5, date: image.date, source_url: source }
  return {
    id: image.id,
    hash: image.hash,
    folder: image.folder,
    path: image.path,
    file_ext: image.ext,
    file_size: image.filesize,
    width: image.width,
    height: image.height,
    type: image.type,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    rating: rating ? rating[0].slice(RATING_PREFIX.length) : null,
    tags: scored.filter(([name]) => !name.startsWith(RATING_PREFIX)).map(([name]) => name),
    tags1: image.tags1 ?? [],
    file_url: originalUrl(image),
    thumb_url: thumbnailUrl(image),
  }
}

export async function datasetStats(store: Store): Promise<DatasetStats> {
  const counts = await store.datasetCounts()
  return { num_images: counts.images, num_tags: counts.tags, num_ratings: counts.ratings, by_type: counts.byType }
}

export async function datasetTag(store: Store, name: string): Promise<Outcome<DatasetTag>> {
  const tag = await store.tagInfo(name)
  return tag ? ok(tag) : rejected(404, `no tag named "${name}"`)
}

/** A seed for a request that gave none; returned so the sample can be drawn again. */
export function drawSeed(): number {
  return randomInt(2 ** 48 - 1)
}

/**
 * `count` images drawn from those matching `q`, the same for the same seed and data (the first of
 * the seed's order, see seeded-order.ts). Throws QueryError for a bad query.
 */
export async function sampleImages(store: Store, request: { count: number; seed?: Seed; q?: string }): Promise<DatasetSample> {
  const { query } = parseSearch(request.q)
  const seed = request.seed ?? drawSeed()
  const [total, keys] = await Promise.all([store.count(query), sampleKeys(store.matchingImageKeys(query), seed, request.count)])
  const result = await recordsOf(store, keys.map((key) => key.id))
  return { count: result.length, total, seed, result }
}

/** Page `page` (0-based) of `size` images matching `q`, in id order (oldest first). Throws QueryError for a bad query. */
export async function pageImages(store: Store, request: { q?: string; page: number; size: number }): Promise<DatasetImagePage> {
  const { query, sort } = parseSearch(request.q, 'id;1')
  const found = await store.search({ query, sort, limit: request.size, offset: request.page * request.size })
  return { count: found.results.length, total: found.total, page: request.page, size: request.size, result: found.results.map(toDatasetImage) }
}

/** Images by id, in the given order; an image removed since it was listed is left out. */
async function recordsOf(store: Store, ids: number[]): Promise<DatasetImage[]> {
  const records = await Promise.all(ids.map((id) => store.getImage(id)))
  return records.filter((record): record is ImageRecord => record !== undefined).map(toDatasetImage)
}
