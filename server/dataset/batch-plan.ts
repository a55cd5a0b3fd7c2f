import type { DatasetSplit } from '../../shared/types/dataset'
import type { BatchMember, ImageKey } from '../store/store'
import { bucketOf, compareOrderParts, orderOf, seededKey, splitter, type Seed } from './seeded-order'

export const SPLITS: readonly DatasetSplit[] = ['train', 'validation', 'test']

/** Every matching image placed in a split, in the seed's order within each split. */
export interface BatchPlan {
  images: Record<DatasetSplit, number>
  total: number
  /** The members, split by split (train, validation, test), each in position order. */
  members(): Iterable<BatchMember>
}

/**
 * Places every image the chunks hold (see seeded-order.ts for the rule). Per image it keeps an
 * id, a 32-bit order key, a split code and the hash string — typed arrays but for the hashes —
 * so a million images cost tens of megabytes, not a million objects.
 *
 * @example
 * const plan = await planBatchSet(store.matchingImageKeys(query), 42, { validation: 10, test: 10 })
 * plan.images // { train: 803, validation: 98, test: 99 }
 */
export async function planBatchSet(chunks: AsyncIterable<ImageKey[]>, seed: Seed, percent: { validation: number; test: number }): Promise<BatchPlan> {
  const keyOf = await seededKey(seed)
  const splitOf = splitter(percent)
  const table = new KeyTable()
  for await (const chunk of chunks) {
    for (const { id, hash } of chunk) {
      const key = keyOf(hash)
      table.push(id, hash, orderOf(key), SPLITS.indexOf(splitOf(bucketOf(key))))
    }
  }
  const ordered = SPLITS.map((_split, code) => table.sortedIndexes(code))
  return {
    images: { train: ordered[0]!.length, validation: ordered[1]!.length, test: ordered[2]!.length },
    total: table.length,
    *members() {
      for (const [code, indexes] of ordered.entries()) {
        const split = SPLITS[code]!
        for (let position = 0; position < indexes.length; position++) {
          const at = indexes[position]!
          yield { split, position, id: table.ids[at]!, hash: table.hashes[at]! }
        }
      }
    },
  }
}

/** Growable columns of placed images. */
class KeyTable {
  ids = new Float64Array(1024)
  orders = new Uint32Array(1024)
  splits = new Uint8Array(1024)
  readonly hashes: string[] = []
  length = 0

  push(id: number, hash: string, order: number, split: number): void {
    if (this.length === this.ids.length) this.grow()
    this.ids[this.length] = id
    this.orders[this.length] = order
    this.splits[this.length] = split
    this.hashes.push(hash)
    this.length++
  }

  /** Rows of one split in the seed's order (compareOrdered). */
  sortedIndexes(split: number): Uint32Array {
    let n = 0
    for (let i = 0; i < this.length; i++) if (this.splits[i] === split) n++
    const indexes = new Uint32Array(n)
    let k = 0
    for (let i = 0; i < this.length; i++) if (this.splits[i] === split) indexes[k++] = i
    const { orders, hashes, ids } = this
    return indexes.sort((a, b) => compareOrderParts(orders[a]!, hashes[a]!, ids[a]!, orders[b]!, hashes[b]!, ids[b]!))
  }

  private grow(): void {
    const size = this.ids.length * 2
    const ids = new Float64Array(size)
    ids.set(this.ids)
    const orders = new Uint32Array(size)
    orders.set(this.orders)
    const splits = new Uint8Array(size)
    splits.set(this.splits)
    this.ids = ids
    this.orders = orders
    this.splits = splits
  }
}
