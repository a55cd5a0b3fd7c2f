import type { ErrorRecord, LibraryCharts, PixivLibraryCounts, StoreStats } from '../../shared/types/api'
import type { DatasetSplit } from '../../shared/types/dataset'
import type { AiParameters, ImageInput, ImageRecord, PixivWork, SourceFields, SourceType, TagInfo, TagScore } from '../../shared/types/image'
import type { PromptSearchPage, PromptStats } from '../../shared/types/prompt'
import type { AndNode, SortKey } from '../query/ast'

/** What the scanner needs to decide whether a file changed: the fast path of change detection. */
export interface FileState {
  id: number
  path: string
  filesize: number
  mtime: number
  hash: string
  /**
   * Present (true) when the image's AI metadata is to be read again although the file did not
   * change: a store migration marked it (the readers changed; see docs/architecture.md).
   */
  aiReread?: true
}

/** A file that failed before, remembered with the size and mtime it had then. */
export interface FailedFileState {
  path: string
  filesize: number
  mtime: number
  /** The failure was the machine's (disk full …): the next import tries the file again. */
  transient: boolean
}

export interface ErrorInput extends Omit<ErrorRecord, 'at' | 'transient'> {
  /** See ErrorRecord.transient; false when absent. */
  transient?: boolean
  filesize?: number
  mtime?: number
}

/** The new place of an image that was renamed or moved; everything computed for it stays. */
export type Relocation = Pick<ImageInput, 'folder' | 'path' | 'filename' | 'ext' | 'filesize' | 'mtime'> & SourceFields

export type JobStatus = 'pending' | 'running' | 'failed'

export interface JobInput {
  kind: 'file'
  /** Unique per kind: enqueueing the same key again does not add a second job. */
  key: string
  payload: Record<string, unknown>
}

export interface Job extends JobInput {
  id: number
  attempts: number
}

/** A pixiv work whose metadata is still to be fetched. */
export interface PixivPendingWork {
  illustid: string
  /** The pixiv user id, when a file name of the work gave one. */
  userid?: string
}

/** How asking pixiv about a work ended. */
export type PixivFetchStatus = 'ok' | 'deleted' | 'restricted' | 'failed'

/**
 * One fetch outcome. `deleted` and `restricted` are pixiv's own (permanent) answers; `failed` is
 * a transient failure that outlasted every retry. `requests` is how many HTTP requests it took.
 */
export type PixivOutcome =
  | { status: 'ok'; work: Omit<PixivWork, 'fetchedAt'>; requests: number }
  | { status: Exclude<PixivFetchStatus, 'ok'>; message: string; requests: number }

/** pixiv works of the library by what is known about them. */
export type PixivCounts = PixivLibraryCounts

/** An image a model stage still has to run on: enough to find the file. */
export interface StageWork {
  id: number
  hash: string
  folder: string
  path: string
}

/** Where the previous page ended: its last row's sort values and id (keyset paging). */
export interface SortCursor {
  values: Array<string | number | boolean | null>
  id: number
}

export interface SearchRequest {
  query: AndNode
  /** Applied in order; `id` descending is always the final tie-break. */
  sort: SortKey[]
  limit: number
  after?: SortCursor
  /** Rows to skip (CLI paging); not combined with `after`. */
  offset?: number
}

export interface StorePage {
  total: number
  results: ImageRecord[]
  /** Set when more results follow. */
  next?: SortCursor
}

export interface PromptSearchRequest {
  /**
   * SQLite FTS5 query syntax over the columns `prompt` and `negative_prompt` (alias `negative`):
   * words, "phrases", AND / OR / NOT, NEAR(…), prefix*, ^initial, column filters.
   */
  query: string
  limit: number
  /** Results to skip. */
  offset?: number
}

/** The query as the store runs it, for the explain view. */
export interface CompiledQuery {
  language: 'sql' | 'mongodb'
  text: unknown
}

/** An image as a dataset batch records it: the id it had and its content hash. */
export interface ImageKey {
  id: number
  hash: string
}

/** Counts for the dataset API. */
export interface DatasetCounts {
  images: number
  /** Tagger tags carried by at least one image. */
  tags: number
  /** Distinct `rating:*` tags carried by at least one image. */
  ratings: number
  byType: Record<SourceType, number>
}

/** A batch set's parameters and split sizes, as stored at creation. */
export interface BatchSetRecord {
  id: string
  createdAt: number
  batchSize: number
  validationSplit: number
  testSplit: number
  seed: number | string
  /** The query text as given ('' for every image). */
  query: string
  /** Members per split. */
  images: Record<DatasetSplit, number>
}

/** One member of a batch set: its split and 0-based position in that split's order. */
export interface BatchMember extends ImageKey {
  split: DatasetSplit
  position: number
}

/**
 * A member as it resolves now: the image with the recorded id if it still has the recorded
 * content, else another image with that content (a copy, or the file re-imported under a new id),
 * else none (`image` absent: the content is gone from the library).
 */
export interface BatchEntry {
  position: number
  member: ImageKey
  image?: ImageRecord
}

/** The largest k a vector search may ask for. */
export const MAX_NEAREST_K = 10_000

export interface NearestRequest {
  /** The embedding model, as the vectors were saved under. */
  model: string
  /** L2-normalised, the model's dimension. */
  vector: Float32Array
  /** 1 to MAX_NEAREST_K. */
  k: number
  /** Only images matching this query (every image when absent). */
  query?: AndNode
  /** Only results at least this similar (cosine). */
  minScore?: number
}

/** One model's vector index, for `sagasu index stats` and after a rebuild. */
export interface VectorIndexStats {
  model: string
  dims: number
  /** Embeddings stored (the source of truth). */
  vectors: number
  /** Vectors in the index in memory (0 when it is not loaded in this process). */
  indexed: number
  /** absent: not loaded here; loading; ready; behind: catching up with other processes' writes. */
  state: 'absent' | 'loading' | 'ready' | 'behind'
  /** Size of the saved index files (graph and int8 copy). */
  fileBytes: number
  /** Embedding changes the index (in memory, else on disk) does not hold yet. */
  pending: number
}

/**
 * Everything Sagasu stores, behind one interface so the embedded (SQLite) and the servers
 * (MongoDB + Milvus + Meilisearch) profiles are interchangeable. Methods are async because
 * the servers profile is; the embedded one answers synchronously underneath.
 */
export interface Store {
  readonly profile: 'embedded' | 'servers'

  /** Names of the folders that have indexed images or error records. */
  listFolders(): Promise<string[]>
  /** path → state for every indexed image in a folder. */
  fileStates(folder: string): Promise<Map<string, FileState>>
  getImage(id: number): Promise<ImageRecord | undefined>
  /** The images with these ids that exist, in the order given (one query on the servers profile). */
  getImages(ids: number[]): Promise<ImageRecord[]>
  findByPath(folder: string, path: string): Promise<ImageRecord | undefined>
  findByHash(hash: string): Promise<ImageRecord[]>
  /** Inserts, or replaces the record at the same folder + path keeping its id. Returns the id. */
  saveImage(input: ImageInput): Promise<number>
  /**
   * saveImage for many images in one write (one transaction; one bulk write on the servers
   * profile). Returns the ids in input order; a folder + path given twice is saved once, the
   * last input winning, and both positions get its id.
   */
  saveImages(inputs: ImageInput[]): Promise<number[]>
  relocateImage(id: number, to: Relocation): Promise<void>
  /**
   * Replaces the AI parameters of images (none: `ai` absent) read again from unchanged files, and
   * clears their re-read mark (FileState.aiReread); tags, OCR text, stages and embeddings stay.
   * An image removed meanwhile is skipped.
   */
  setAiParameters(entries: Array<{ id: number; ai?: AiParameters }>): Promise<void>
  /** Marks images for their AI metadata to be read again by the next import (what `sagasu migrate` copies). */
  markAiReread(ids: number[]): Promise<void>
  /** relocateImage for many images in one write (one transaction; one bulk write on the servers profile). */
  relocateImages(entries: Array<{ id: number; to: Relocation }>): Promise<void>
  /** The file was touched but its content is the same. */
  touchImage(id: number, filesize: number, mtime: number): Promise<void>
  /** Removes images; returns the content hashes no image refers to any more (their thumbnails can go). */
  removeImages(ids: number[]): Promise<string[]>
  /** Replaces the tagger output of an image. */
  setTags(id: number, tags: TagScore[]): Promise<void>
  /** setTags for many images in one write; an image given twice gets its last list, a removed one is skipped. */
  setTagsMany(entries: Array<{ id: number; tags: TagScore[] }>): Promise<void>
  /** Replaces the OCR text of an image (and its length). */
  setOcrText(id: number, text: string): Promise<void>
  /** setOcrText for many images in one write. */
  setOcrTexts(entries: Array<{ id: number; text: string }>): Promise<void>

  /**
   * Images a model stage has not yet run on with this version (a new model or new settings make
   * every image pending again), oldest first, after `afterId`.
   */
  pendingForStage(stage: string, version: string, limit: number, afterId?: number): Promise<StageWork[]>
  /**
   * Records that a stage ran (or failed for good) on these images with this version; their leases
   * of that stage (claimStageWork) end.
   */
  markStageDone(ids: number[], stage: string, version: string): Promise<void>
  /**
   * Atomically takes up to `limit` images a model stage has not run on with this version, oldest
   * first after `afterId`, that no live lease of the stage holds, and leases them to `worker` for
   * `leaseMs`. A lease ends when the images are marked done (markStageDone), released
   * (releaseStageWork, releaseStageLeases) or its time runs out; no two workers, on one machine or
   * several, hold a lease on the same image and stage at once.
   */
  claimStageWork(stage: string, version: string, worker: string, limit: number, leaseMs: number, afterId?: number): Promise<StageWork[]>
  /** `worker` lets go of its leases of a stage on these images (they are pending for others again). */
  releaseStageWork(stage: string, worker: string, ids: number[]): Promise<void>
  /** Ends every stage lease held by a worker that no longer exists; returns how many ended. */
  releaseStageLeases(isWorkerAlive: (worker: string) => boolean): Promise<number>
  /** How many images a stage has run on with this version, and how many are left. */
  stageCounts(stage: string, version: string): Promise<{ done: number; pending: number }>
  /** Every (stage, version) some image is marked done with (what `sagasu migrate` copies). */
  stageVersions(): Promise<Array<{ stage: string; version: string }>>

  /**
   * Keeps one record per file and stage (a newer one of the same stage replaces it). A file has at
   * most one record of level `error` (its last failure: recording one drops the file's others) and
   * any number of warnings.
   */
  recordError(error: ErrorInput): Promise<void>
  /** Forgets a file's records: all of them, or those of one stage. */
  clearError(folder: string, path: string, stage?: string): Promise<void>
  /** Forgets errors of files that are no longer on disk. */
  clearErrors(folder: string, paths: string[]): Promise<void>
  /** Every error record, those of one folder, or those of one file (found by its key, not by listing the folder). */
  listErrors(folder?: string, path?: string): Promise<ErrorRecord[]>
  failedFiles(folder: string): Promise<Map<string, FailedFileState>>
  /**
   * Commits a small write that changes nothing anyone reads (GET /api/health's check that the store
   * can write now); throws StoreWriteError or StoreUnavailableError naming why not.
   */
  probeWrite(): Promise<void>

  enqueueJobs(jobs: JobInput[]): Promise<void>
  /** Atomically takes up to `limit` pending jobs (or running ones whose lease ran out or whose worker died). */
  claimJobs(kind: JobInput['kind'], limit: number, worker: string, leaseMs: number): Promise<Job[]>
  finishJob(id: number): Promise<void>
  failJob(id: number, reason: string): Promise<void>
  /** Puts jobs held by workers that no longer exist back to pending. */
  releaseJobs(isWorkerAlive: (worker: string) => boolean): Promise<number>
  countJobs(): Promise<Record<JobStatus, number>>

  /** One page of the images matching a parsed query, with the total count. */
  search(request: SearchRequest): Promise<StorePage>
  count(query: AndNode): Promise<number>
  compile(query: AndNode, sort: SortKey[]): CompiledQuery
  /**
   * pixiv works of the library without metadata, in the order their images were added: those never
   * asked about and those whose last fetch failed transiently, plus — with `retryFailed` — those
   * pixiv answered deleted or restricted. Works with metadata are never listed.
   */
  pixivPending(options: { limit?: number; retryFailed?: boolean }): Promise<PixivPendingWork[]>
  /**
   * Records a fetch outcome. On `ok` the metadata goes to every image of the work: title and counts;
   * pixiv's user name (unless the file name gave another user id); user id and date where the file
   * name gave none; tags1 = pixiv tags then their translations. Another outcome never erases
   * metadata fetched before.
   */
  savePixivWork(illustid: string, outcome: PixivOutcome): Promise<void>
  /** Images with a user id but no user name take the name another image of the same user has; returns how many changed. */
  propagateUserNames(): Promise<number>
  pixivCounts(): Promise<PixivCounts>

  /** Tags whose name starts with `prefix`, most used first. */
  suggestTags(prefix: string, limit: number): Promise<TagInfo[]>
  stats(): Promise<StoreStats>
  /** The `top` most used tags and most prolific users, and images per month, for the stats page. */
  charts(top: number): Promise<LibraryCharts>
  /** Loads what searches keep in memory (resolves at once when there is nothing to load). */
  warmUp(): Promise<void>

  /**
   * Images whose AI prompts match a full-text query, best (bm25) first. Throws FullTextQueryError
   * (full-text-query-error.ts) when the query is empty or malformed, never another error for it.
   */
  searchPrompts(request: PromptSearchRequest): Promise<PromptSearchPage>
  /** Counts of the AI-generation parameters: sources, samplers, models, settings. */
  promptStats(): Promise<PromptStats>

  /** Image, tag and rating counts for the dataset API. */
  datasetCounts(): Promise<DatasetCounts>
  /** One tagger tag by exact name (count 0 when no image carries it any more). */
  tagInfo(name: string): Promise<TagInfo | undefined>
  /**
   * Every image matching a query as `{id, hash}`, in id order, in chunks, so that a million
   * matches never sit in memory as a million objects. No chunk holds the store busy while the
   * consumer works on it; images added or removed meanwhile may or may not be seen.
   */
  matchingImageKeys(query: AndNode): AsyncIterable<ImageKey[]>
  /** Stores a batch set and its members (position order within each split) at once. */
  saveBatchSet(set: BatchSetRecord, members: Iterable<BatchMember>): Promise<void>
  /** Batch set ids, oldest first. */
  listBatchSets(): Promise<string[]>
  getBatchSet(id: string): Promise<BatchSetRecord | undefined>
  /** Members at positions [offset, offset + limit) of one split, resolved to images as they are now. */
  batchEntries(id: string, split: DatasetSplit, offset: number, limit: number): Promise<BatchEntry[]>
  /** Removes a batch set and its members; false when there is none with this id. */
  deleteBatchSet(id: string): Promise<boolean>

  /**
   * Stores (replaces) an image's embedding for a model; vectors are L2-normalised by the caller.
   * Throws VectorInputError (vector-input-error.ts) for a vector that is not unit length, not finite,
   * or not the dimension of the model's other vectors. An image removed meanwhile is skipped.
   */
  saveEmbedding(imageId: number, model: string, vector: Float32Array): Promise<void>
  /**
   * saveEmbedding for many images of one model in one write. Every vector is checked before
   * anything is stored, so a bad one stores none of the batch.
   */
  saveEmbeddings(model: string, entries: Array<{ id: number; vector: Float32Array }>): Promise<void>
  getEmbedding(imageId: number, model: string): Promise<Float32Array | undefined>
  /** Ids of images that have no embedding for `model` yet, oldest first (the pipeline's to-do list). */
  imagesWithoutEmbedding(model: string, limit: number): Promise<number[]>
  /**
   * The k images most similar to `vector` (inner product = cosine on unit vectors) among the images matching `query`
   * (every image when absent), best first, with score ≥ minScore when given. The result is the true top-k of the
   * matching images up to the index's approximation: a selective query must never lose matches to post-filtering.
   * A model without stored vectors gives no results; a bad request throws VectorInputError.
   */
  nearest(request: NearestRequest): Promise<Array<{ id: number; score: number }>>
  /** Builds the vector index of one model (every model when absent) afresh from the stored embeddings. */
  rebuildVectorIndex(options?: { model?: string; onProgress?: (model: string, done: number, total: number) => void }): Promise<VectorIndexStats[]>
  vectorIndexStats(): Promise<VectorIndexStats[]>

  close(): Promise<void>
}
