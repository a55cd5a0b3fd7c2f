import { randomUUID } from 'node:crypto'
import type { BatchSetInfo, BatchSetParameters, DatasetBatch, DatasetSplit } from '../../shared/types/dataset'
import { parseSearch } from '../search/search-images'
import type { BatchEntry, BatchSetRecord, Store } from '../store/store'
import { planBatchSet, SPLITS } from './batch-plan'
import { drawSeed, toDatasetImage } from './dataset-images'
import { ok, rejected, type Outcome } from './outcome'
import type { Seed } from './seeded-order'

/** What creating a batch set takes: the API's body, the seed optional (one is drawn and stored). */
export type BatchSetRequest = Omit<BatchSetParameters, 'seed'> & { seed?: Seed }

/**
 * Places every image matching `q` in train, validation or test by a hash of (seed, content hash),
 * orders each split by that hash, and stores the result as a snapshot: batch n of a split is
 * positions [n·batch_size, (n+1)·batch_size) of it, whatever happens to the library later.
 * Throws QueryError for a bad query; a query that matches nothing is a 400.
 *
 * @example
 * await createBatchSet(store, { batch_size: 64, validation_split: 10, test_split: 10, seed: 42, q: 'tags.long_hair' })
 * // { ok: true, value: { id: 'df31e073520a47ffbeaec9d7ad74ebb2' } }
 */
export async function createBatchSet(store: Store, params: BatchSetRequest, now = Date.now()): Promise<Outcome<{ id: string }>> {
  const { query } = parseSearch(params.q, '', now)
  const seed = params.seed ?? drawSeed()
  const plan = await planBatchSet(store.matchingImageKeys(query), seed, { validation: params.validation_split, test: params.test_split })
  if (plan.total === 0) return rejected(400, params.q.trim() ? 'q: the query matches no image; a batch set needs at least one' : 'the library has no images yet; a batch set needs at least one')
  const record: BatchSetRecord = {
    id: randomUUID().replaceAll('-', ''),
    createdAt: now,
    batchSize: params.batch_size,
    validationSplit: params.validation_split,
    testSplit: params.test_split,
    seed,
    query: params.q,
    images: plan.images,
  }
  await store.saveBatchSet(record, plan.members())
  return ok({ id: record.id })
}

/** The number of batches of one split (the last one may be short). */
export function batchCount(record: BatchSetRecord, split: DatasetSplit): number {
  return Math.ceil(record.images[split] / record.batchSize)
}

export function batchSetInfo(record: BatchSetRecord): BatchSetInfo {
  const [train, validation, test] = SPLITS.map((split) => batchCount(record, split)) as [number, number, number]
  return {
    id: record.id,
    created_at: record.createdAt,
    batch_size: record.batchSize,
    validation_split: record.validationSplit,
    test_split: record.testSplit,
    seed: record.seed,
    q: record.query,
    total_batches: train + validation + test,
    train_batches: train,
    validation_batches: validation,
    test_batches: test,
    total_images: record.images.train + record.images.validation + record.images.test,
    train_images: record.images.train,
    validation_images: record.images.validation,
    test_images: record.images.test,
  }
}

export async function findBatchSet(store: Store, id: string): Promise<Outcome<BatchSetRecord>> {
  const record = await store.getBatchSet(id)
  return record ? ok(record) : rejected(404, `no batch set with id "${id}"`)
}

/**
 * Batch `n` (0-based) of a split. Members whose content is no longer in the library are left out
 * and counted in `missing`; the other members keep their batch and position.
 */
export async function fetchBatch(store: Store, id: string, split: DatasetSplit, n: number): Promise<Outcome<DatasetBatch>> {
  const found = await findBatchSet(store, id)
  if (!found.ok) return found
  const entries = await batchEntriesOf(store, found.value, split, n)
  if (!entries.ok) return entries
  const result = entries.value.flatMap((entry) => (entry.image ? [toDatasetImage(entry.image)] : []))
  return ok({ count: result.length, missing: entries.value.length - result.length, result })
}

/** The stored members of batch `n` of a split, resolved to images as they are now; a 404 past the last batch. */
export async function batchEntriesOf(store: Store, record: BatchSetRecord, split: DatasetSplit, n: number): Promise<Outcome<BatchEntry[]>> {
  const batches = batchCount(record, split)
  if (n >= batches) {
    const range = batches ? `numbered 0 to ${batches - 1}` : 'none'
    return rejected(404, `batch set "${record.id}" has ${batches} ${split} batch${batches === 1 ? '' : 'es'} (${range}); there is no batch ${n}`)
  }
  return ok(await store.batchEntries(record.id, split, n * record.batchSize, record.batchSize))
}
