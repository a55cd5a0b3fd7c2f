import xxhash from 'xxhash-wasm'
import type { DatasetSplit } from '../../shared/types/dataset'
import type { ImageKey } from '../store/store'

/** A batch or sample seed: a whole number 0…2^53−1 or a string. `42` and `"42"` are the same seed. */
export type Seed = number | string

/**
 * A seed typed as text (a query string, a command line): digits naming a whole number up to
 * 2^53−1 without leading zeros are that number, anything else stays text. Either way the seed
 * hashes as the same text, so the distinction only shows in how the seed is reported.
 *
 * @example
 * seedFromText('42') // 42
 * seedFromText('042') // '042' (another seed than 42)
 */
export function seedFromText(text: string): Seed {
  return /^(0|[1-9]\d{0,15})$/.test(text) && Number(text) <= Number.MAX_SAFE_INTEGER ? Number(text) : text
}

type Hasher = Awaited<ReturnType<typeof xxhash>>
let hasher: Promise<Hasher> | undefined

/**
 * An image's place for a seed, from its content alone: `key = xxhash64(contentHash, seed:
 * xxhash64(String(seed)))` (UTF-8 text, xxhash64 seed 0 for the inner hash). The upper 32 bits pick
 * the split, the lower 32 bits the order. Depending on nothing but the seed and the content, an
 * image keeps its split and relative order however the library grows, and copies of one picture
 * land together (no copy in train with its twin in test).
 *
 * @example
 * const keyOf = await seededKey(42)
 * splitOf(bucketOf(keyOf('bb1a161164c874de')), { validation: 10, test: 10 }) // 'train', 'validation' or 'test'
 */
export async function seededKey(seed: Seed): Promise<(contentHash: string) => bigint> {
  hasher ??= xxhash()
  const { h64 } = await hasher
  const seedKey = h64(String(seed))
  return (contentHash) => h64(contentHash, seedKey)
}

const TWO_32 = 2 ** 32

/** The upper 32 bits of the key, 0 … 2^32−1: compared with the split thresholds. */
export function bucketOf(key: bigint): number {
  return Number(key >> 32n)
}

/** The lower 32 bits: the order of an image within its split (and in a sample), smallest first. */
export function orderOf(key: bigint): number {
  return Number(key & 0xffff_ffffn)
}

/**
 * The split of a bucket for the percentages: validation takes buckets below round(v × 2^32 / 100),
 * test those below round((v + t) × 2^32 / 100), train the rest. Whole-number thresholds keep the
 * rule exact for decimals (0.1 + 0.2 is not 0.3 in floating point), and raising a percentage only
 * moves images out of train.
 *
 * @example
 * const split = splitter({ validation: 10, test: 10 })
 * split(0) // 'validation'
 */
export function splitter(percent: { validation: number; test: number }): (bucket: number) => DatasetSplit {
  const validation = Math.round((percent.validation * TWO_32) / 100)
  const test = Math.round(((percent.validation + percent.test) * TWO_32) / 100)
  return (bucket) => (bucket < validation ? 'validation' : bucket < test ? 'test' : 'train')
}

/** An image with its order key, as samples and splits sort them. */
export interface OrderedKey extends ImageKey {
  order: number
}

/** Order key first; equal keys (two contents, 1 in 2^32) by content hash, copies of one content by id. */
export function compareOrdered(a: OrderedKey, b: OrderedKey): number {
  return compareOrderParts(a.order, a.hash, a.id, b.order, b.hash, b.id)
}

/** compareOrdered on loose values, for callers that keep their keys in columns. */
export function compareOrderParts(aOrder: number, aHash: string, aId: number, bOrder: number, bHash: string, bId: number): number {
  return aOrder - bOrder || (aHash < bHash ? -1 : aHash > bHash ? 1 : 0) || aId - bId
}

/**
 * The `count` images that come first in the seed's order: a uniform sample without replacement,
 * the same for the same seed and data, and one that changes little when images are added (a new
 * image enters only where its key beats the last one kept). Memory is O(count), not O(matches).
 *
 * @example
 * await sampleKeys(store.matchingImageKeys(query), 42, 64) // up to 64 {id, hash, order}, in order
 */
export async function sampleKeys(chunks: AsyncIterable<ImageKey[]>, seed: Seed, count: number): Promise<OrderedKey[]> {
  const keyOf = await seededKey(seed)
  const kept: OrderedKey[] = []
  for await (const chunk of chunks) {
    for (const { id, hash } of chunk) {
      const candidate = { id, hash, order: orderOf(keyOf(hash)) }
      if (kept.length === count && compareOrdered(candidate, kept[count - 1]!) >= 0) continue
      kept.splice(insertionPoint(kept, candidate), 0, candidate)
      if (kept.length > count) kept.pop()
    }
  }
  return kept
}

function insertionPoint(sorted: OrderedKey[], item: OrderedKey): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (compareOrdered(sorted[middle]!, item) < 0) low = middle + 1
    else high = middle
  }
  return low
}
