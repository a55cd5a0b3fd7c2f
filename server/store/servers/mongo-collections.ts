import type { AnyBulkWriteOperation, BulkWriteOptions, Collection, Db, Document } from 'mongodb'
import type { AiParameters, PixivTag, TagCategory } from '../../../shared/types/image'
import type { ErrorRecord } from '../../../shared/types/api'
import type { BatchSetRecord, JobStatus } from '../store'
import type { MongoImageDocument } from './mongo-document'

/**
 * An image as the servers store keeps it: the query document (mongo-document.ts) plus what the
 * record needs back (the whole AI parameters, the update time) and the bookkeeping of the model
 * stages (stage → version) and of the models it has an embedding for.
 */
export interface StoredImageDocument extends Omit<MongoImageDocument, 'ai'> {
  ai?: AiParameters
  updated: number
  /** Model stage name → the version it ran with (one per stage, as in the embedded store). */
  stages?: Record<string, string>
  /** Models this image has an embedding for (the vectors themselves are in the vector index). */
  embedded?: string[]  /** Its AI metadata is to be read again (FileState.aiReread); a save of the image drops it. */
  aiReread?: true
}

/** A tagger tag name with its category and how many images carry it (kept by $inc on every tag change). */
export interface TagNameDocument {
  _id: string
  category: TagCategory
  count: number
}

export interface ErrorDocument extends Omit<ErrorRecord, 'transient'> {
  /** Absent on records written before transient failures were told apart: false. */
  transient?: boolean
  filesize?: number
  mtime?: number
}

export interface JobDocument {
  _id: number
  kind: 'file'
  key: string
  payload: Record<string, unknown>
  status: JobStatus
  attempts: number
  worker?: string
  leaseUntil?: number
  error?: string
  /** How many times the job was claimed; never reset (the claims of a generation are unique). */
  generation?: number
  created: number
  updated: number
}

/** One claim of a job: `_id` is `<job id>:<generation>`, so one worker wins each generation. */
export interface JobClaimDocument {
  _id: string
  job: number
  worker: string
  at: number
}

/**
 * A worker's lease of a model stage's work on one image: `_id` is `<stage>:<image>:<generation>`, so
 * one worker wins each generation (mongo-stage-leases.ts).
 */
export interface StageLeaseDocument {
  _id: string
  stage: string
  image: number
  generation: number
  worker: string
  /** Epoch ms after which the lease may be taken over. */
  until: number
}

/** The last fetch outcome of a pixiv work, and its metadata once a fetch succeeded. */
export interface PixivWorkDocument {
  _id: string
  status: 'ok' | 'deleted' | 'restricted' | 'failed'
  message?: string
  attempts: number
  fetchedAt: number
  metadataAt?: number
  title?: string
  userId?: string
  userName?: string
  createDate?: number
  views?: number
  likes?: number
  bookmarks?: number
  comments?: number
  description?: string
  tags?: PixivTag[]
}

export interface BatchSetDocument extends Omit<BatchSetRecord, 'id'> {
  _id: string
  /** Creation order (listBatchSets is oldest first). */
  seq: number
  /** False while its members are being written: an incomplete set is never listed or read. */
  complete: boolean
}

export interface BatchMemberDocument {
  set: string
  split: 'train' | 'validation' | 'test'
  position: number
  id: number
  hash: string
}

/** The dimension of each model's vectors (the first saved vector sets it). */
export interface VectorModelDocument {
  _id: string
  dims: number
}

/** Named sequences for numeric ids, advanced with an atomic $inc. */
export interface CounterDocument {
  _id: string
  value: number
}

export interface ServersCollections {
  images: Collection<StoredImageDocument>
  tags: Collection<TagNameDocument>
  errors: Collection<ErrorDocument>
  jobs: Collection<JobDocument>
  jobClaims: Collection<JobClaimDocument>
  stageLeases: Collection<StageLeaseDocument>
  pixivWorks: Collection<PixivWorkDocument>
  batchSets: Collection<BatchSetDocument>
  batchMembers: Collection<BatchMemberDocument>
  vectorModels: Collection<VectorModelDocument>
  counters: Collection<CounterDocument>
}

/** The collections of one Sagasu database. */
export function collectionsOf(db: Db): ServersCollections {
  return {
    images: db.collection('images'),
    tags: db.collection('tags'),
    errors: db.collection('errors'),
    jobs: db.collection('jobs'),
    jobClaims: db.collection('job_claims'),
    stageLeases: db.collection('stage_leases'),
    pixivWorks: db.collection('pixiv_works'),
    batchSets: db.collection('batch_sets'),
    batchMembers: db.collection('batch_members'),
    vectorModels: db.collection('vector_models'),
    counters: db.collection('counters'),
  }
}

/**
 * The write GET /api/health makes to prove MongoDB takes writes: one counter document that nothing
 * reserves ids from, so the write changes nothing anyone reads.
 */
export function writeHealthProbe(counters: Collection<CounterDocument>): Promise<unknown> {
  return counters.updateOne({ _id: 'health_probe' }, { $set: { value: Date.now() } }, { upsert: true })
}

/**
 * Reserves `n` consecutive ids of a sequence and returns the first. Ids are never reused (the
 * embedded store may reuse the highest id after it is removed; nothing depends on either).
 */
export async function reserveIds(counters: Collection<CounterDocument>, name: string, n = 1): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      const after = await counters.findOneAndUpdate({ _id: name }, { $inc: { value: n } }, { upsert: true, returnDocument: 'after' })
      return after!.value - n + 1
    } catch (error) {
      // Two first uses at once both try to create the counter; the loser increments the winner's.
      if (!isDuplicateKey(error) || attempt >= 3) throw error
    }
  }
}

/** MongoDB's duplicate-key error (a unique index refused a write). */
export function isDuplicateKey(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, writeErrors } = error as { code?: unknown; writeErrors?: Array<{ code?: unknown }> }
  // A bulk write reports each document it refused: it is a duplicate-key failure when all of them are.
  if (Array.isArray(writeErrors) && writeErrors.length) return writeErrors.every((writeError) => writeError.code === 11000)
  return code === 11000
}

/**
 * Statements per bulk-write command. FerretDB 1.24 never answers an update command of 100 or more
 * statements (docs/servers-profile.md), so bulk writes go in chunks: a few more round trips on
 * MongoDB, none of them large.
 */
export const WRITE_CHUNK = 50

/** collection.bulkWrite in chunks of WRITE_CHUNK; nothing to write is no command (bulkWrite refuses an empty list). */
export async function bulkWriteInChunks<T extends Document>(collection: Collection<T>, operations: Array<AnyBulkWriteOperation<T>>, options: BulkWriteOptions): Promise<void> {
  for (let from = 0; from < operations.length; from += WRITE_CHUNK) await collection.bulkWrite(operations.slice(from, from + WRITE_CHUNK), options)
}
