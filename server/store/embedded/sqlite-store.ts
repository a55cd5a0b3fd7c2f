import { join } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import Database from 'better-sqlite3'
import { ensureDataDir } from '../../../config/data-dir'
import type { ErrorRecord, LibraryCharts, StoreStats } from '../../../shared/types/api'
import type { DatasetSplit } from '../../../shared/types/dataset'
import type { AiParameters, ImageInput, ImageRecord, SourceType, TagCategory, TagInfo, TagScore } from '../../../shared/types/image'
import type { PromptSearchPage, PromptStats } from '../../../shared/types/prompt'
import type { AndNode, QueryNode, SortKey, TagNode } from '../../query/ast'
import type {
  BatchEntry, BatchMember, BatchSetRecord, CompiledQuery, DatasetCounts, ErrorInput, FailedFileState, FileState, ImageKey, Job, JobInput,
  JobStatus, NearestRequest, PixivCounts, PixivOutcome, PixivPendingWork, PromptSearchRequest, Relocation, SearchRequest, SortCursor, StageWork, Store, StorePage,
  VectorIndexStats,
} from '../store'
import { MAX_NEAREST_K } from '../store'
import { prepareDatasetQueries, type DatasetQueries } from './dataset-queries'
import { IMAGE_SELECT, rowToImage, type ImageRow } from './image-row'
import { LiveMemoryIndex } from './memory-index/live-memory-index'
import type { IndexLookups } from './memory-index/memory-index'
import { migrate } from './migrations'
import { EmbeddingQueries } from './embedding-queries'
import { Bitset } from './memory-index/bitset'
import { scanExact } from './vector-index/exact-scan'
import { LiveVectorIndex } from './vector-index/live-vector-index'
import { planNearest, type MatchingSet } from './vector-index/nearest-planner'
import { bytesToVector, checkVector, vectorToBytes } from './vector-index/vector-codec'
import { VectorInputError } from '../vector-input-error'
import { convertErrors } from '../convert-errors'
import { sqliteWriteFailure } from './sqlite-write-failure'
import { PixivQueries } from './pixiv-queries'
import { preparePromptQueries, type PromptQueries } from './prompt-queries'
import { compileKeyset, compileSqlFilter, compileSqlOrder, scoreConditions, sortColumns, sqlFrom, tagIdList, toGlob, withTieBreak, type SetStrategy, type SqlFragment, type TagResolver } from './sql-filter'

/** An error record as its row holds it (`transient` 0 or 1). */
type ErrorRow = Omit<ErrorRecord, 'transient'> & { transient: number }

/** What the memory index settles of a query (see `indexedPart`). */
interface IndexedPart {
  matched: Bitset
  rest: AndNode
}

/** Images per chunk of `matchingImageKeys`. */
const KEY_CHUNK = 10_000

/** Sort fields with an index on images (see migrations.ts). */
/** Past this many matches, a page does not pass their ids to SQL as a list. */
const MAX_IDS_INLINE = 200_000
/** Past this many, the index's matches no longer drive a query that has clauses left to SQL. */
const MAX_IDS_DRIVING = 20_000
/**
 * A page walks the sort index when at least 1 image in this many matches: about this many rows
 * per result then (a few µs each), against a table read per match (~2.5 µs) for the id list.
 */
const MAX_WALK_PER_MATCH = 500

const INDEXED_SORTS = new Set(['id', 'added', 'date', 'filesize', 'width', 'height', 'mtime', 'textlen', 'type', 'userid', 'username', 'illustid',
  'views', 'likes', 'bookmarks', 'comments'])

/**
 * The embedded profile: one SQLite file (WAL) under the data directory.
 *
 * @example
 * const store = openSqliteStore('/home/me/.sagasu')
 */
export function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Store {
  ensureDataDir(dataDir)
  const file = join(dataDir, 'sagasu.db')
  const writeFailure = (error: unknown) => sqliteWriteFailure(error, file)
  const db = openDatabase(file, writeFailure, options.nativeBinding)
  const vectors = { ...DEFAULT_VECTOR_OPTIONS, ...options.vectors }
  const store = new SqliteStore(db, options.memoryIndex ? new LiveMemoryIndex(db, options.log) : undefined, {
    ...vectors,
    dir: join(dataDir, 'vectors'),
    ...(options.log ? { log: options.log } : {}),
  })
  // A database that cannot be written (read-only, disk full, I/O error) fails as StoreWriteError: 503 in routes, kept files in the import.
  return convertErrors<Store>(store, writeFailure)
}

/** Opens and migrates the file; a file that cannot be written or opened fails as StoreWriteError. */
function openDatabase(file: string, writeFailure: (error: unknown) => unknown, nativeBinding?: string): Database.Database {
  let db: Database.Database | undefined
  try {
    db = new Database(file, nativeBinding ? { nativeBinding } : {})
    db.pragma('journal_mode = WAL')
    // NORMAL is durable across process crashes in WAL mode; only power loss can drop the last commits.
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    // Another connection may write at the same time (the server's import thread, a CLI import): a write
    // waits up to 10 s for it. Write transactions begin IMMEDIATE for the same reason: a deferred one
    // that has read cannot wait for the lock, and fails at once with SQLITE_BUSY.
    db.pragma('busy_timeout = 10000')
    // Memory-mapped reads skip a copy per page; on large indexes lookups get 20–65 % faster.
    db.pragma('mmap_size = 2147483648')
    migrate(db)
    return db
  } catch (error) {
    db?.close()
    throw writeFailure(error)
  }
}

/** The vector index's settings (config key `vectors`). */
export interface VectorOptions {
  /** HNSW M; a change rebuilds the index. */
  connectivity: number
  /** HNSW efConstruction; a change rebuilds the index. */
  expansionAdd: number
  /** HNSW efSearch. */
  expansionSearch: number
  /** Filtered searches with at most this many matching images scan them exactly instead of using the graph. */
  exactBelow: number
}

export const DEFAULT_VECTOR_OPTIONS: VectorOptions = { connectivity: 32, expansionAdd: 64, expansionSearch: 256, exactBelow: 5_000 }

export interface SqliteStoreOptions {
  /**
   * Keep tag, tags1, text and type facts in memory (loaded by `warmUp`) for exact counts of compound
   * queries in milliseconds; right for the long-running server, not for one CLI command.
   */
  memoryIndex?: boolean
  vectors?: Partial<VectorOptions>
  log?: (message: string) => void
  /** The better-sqlite3 addon file to use: the server's own, in its import thread (see sqlite-addon.ts). */
  nativeBinding?: string
}

class SqliteStore implements Store {
  readonly profile = 'embedded' as const
  private readonly statements
  private readonly prompts: PromptQueries
  private readonly dataset: DatasetQueries
  private readonly pixiv: PixivQueries
  /** The memory index's matches for the page being read (see `sagasu_matched`). */
  private matched: Bitset | undefined
  private readonly embeddings: EmbeddingQueries
  private readonly vectors: LiveVectorIndex
  private readonly exactBelow: number

  constructor(private readonly db: Database.Database, private readonly memory: LiveMemoryIndex | undefined, vectorSettings: VectorOptions & { dir: string; log?: (message: string) => void }) {
    this.embeddings = new EmbeddingQueries(db)
    this.vectors = new LiveVectorIndex(this.embeddings, vectorSettings)
    this.exactBelow = vectorSettings.exactBelow
    db.function('sagasu_matched', { deterministic: false, directOnly: true }, (id) => (this.matched?.has(Number(id)) ? 1 : 0))
    this.prompts = preparePromptQueries(db)
    this.dataset = prepareDatasetQueries(db)
    this.pixiv = new PixivQueries(db, (id, tags1) => this.rewriteTags1(id, tags1))
    this.statements = {
      folders: db.prepare<[], { folder: string }>('SELECT folder FROM images GROUP BY folder UNION SELECT folder FROM errors ORDER BY folder'),
      countAll: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM images'),
      tagIdsNamed: db.prepare<[string], { id: number }>('SELECT id FROM tag_names WHERE name = ?'),
      tagIdsLike: db.prepare<[string], { id: number }>('SELECT id FROM tag_names WHERE name GLOB ?'),
      tagCount: db.prepare<[string], { n: number }>('SELECT image_count AS n FROM tag_names WHERE name = ?'),
      maxId: db.prepare<[], { n: number | null }>('SELECT max(id) AS n FROM images'),
      workImages: db.prepare<[string], number>("SELECT id FROM images WHERE type = 'pixiv' AND illustid = ?").pluck(),
      fileStates: db.prepare<[string], Omit<FileState, 'aiReread'> & { ai_reread: number }>('SELECT id, path, filesize, mtime, hash, ai_reread FROM images WHERE folder = ?'),
      byId: db.prepare<[number], ImageRow>(`${IMAGE_SELECT} WHERE i.id = ?`),
      byPath: db.prepare<[string, string], ImageRow>(`${IMAGE_SELECT} WHERE i.folder = ? AND i.path = ?`),
      byHash: db.prepare<[string], ImageRow>(`${IMAGE_SELECT} WHERE i.hash = ? ORDER BY i.id`),
      tags1Of: db.prepare<[number], { value: string }>('SELECT value FROM tags1 WHERE image_id = ? ORDER BY rowid'),
      tagsOf: db.prepare<[number], { name: string; score: number }>(
        'SELECT n.name, t.score FROM image_tags t JOIN tag_names n ON n.id = t.tag_id WHERE t.image_id = ? ORDER BY t.score DESC, n.name'),
      upsertTagName: db.prepare<[string, string], { id: number }>(
        'INSERT INTO tag_names (name, category) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET category = excluded.category RETURNING id'),
      deleteTags: db.prepare<[number]>('DELETE FROM image_tags WHERE image_id = ?'),
      insertTag: db.prepare<[number, number, number]>('INSERT OR REPLACE INTO image_tags (image_id, tag_id, score) VALUES (?, ?, ?)'),
      deleteStages: db.prepare<[number]>('DELETE FROM image_stages WHERE image_id = ?'),
      pendingForStage: db.prepare<[string, string, number, number], StageWork>(
        `SELECT i.id, i.hash, i.folder, i.path FROM images i
        WHERE NOT EXISTS (SELECT 1 FROM image_stages s WHERE s.image_id = i.id AND s.stage = ? AND s.version = ?) AND i.id > ?
        ORDER BY i.id LIMIT ?`),
      claimableForStage: db.prepare<[number, string, string, string, number, number], StageWork>(
        `SELECT i.id, i.hash, i.folder, i.path FROM images i
        WHERE i.id > ?
          AND NOT EXISTS (SELECT 1 FROM image_stages s WHERE s.image_id = i.id AND s.stage = ? AND s.version = ?)
          AND NOT EXISTS (SELECT 1 FROM stage_leases l WHERE l.image_id = i.id AND l.stage = ? AND l.lease_until >= ?)
        ORDER BY i.id LIMIT ?`),
      leaseStage: db.prepare<[number, string, string, number]>('INSERT OR REPLACE INTO stage_leases (image_id, stage, worker, lease_until) VALUES (?, ?, ?, ?)'),
      endStageLease: db.prepare<[number, string]>('DELETE FROM stage_leases WHERE image_id = ? AND stage = ?'),
      releaseStageLease: db.prepare<[number, string, string]>('DELETE FROM stage_leases WHERE image_id = ? AND stage = ? AND worker = ?'),
      stageLeaseWorkers: db.prepare<[], string>('SELECT DISTINCT worker FROM stage_leases').pluck(),
      releaseWorkerStageLeases: db.prepare<[string]>('DELETE FROM stage_leases WHERE worker = ?'),
      markStage: db.prepare<[number, string, string, number]>('INSERT OR REPLACE INTO image_stages (image_id, stage, version, done_at) VALUES (?, ?, ?, ?)'),
      stageDone: db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM image_stages WHERE stage = ? AND version = ?'),
      stageVersions: db.prepare<[], { stage: string; version: string }>('SELECT DISTINCT stage, version FROM image_stages ORDER BY stage, version'),
      setOcr: db.prepare<[string | null, number, number, number]>('UPDATE images SET text = ?, textlen = ?, updated_at = ? WHERE id = ?'),
      suggestTags: db.prepare<[string, string, number], { name: string; category: TagCategory; count: number }>(
        'SELECT name, category, image_count AS count FROM tag_names WHERE name >= ? AND name < ? AND image_count > 0 ORDER BY image_count DESC, name LIMIT ?'),
      idAtPath: db.prepare<[string, string], { id: number; added_at: number }>('SELECT id, added_at FROM images WHERE folder = ? AND path = ?'),
      insertImage: db.prepare(`INSERT INTO images (folder, path, filename, ext, filesize, mtime, hash, width, height, format, animated, frames,
          type, illustid, page, userid, username, tweetid, postid, md5, date, added_at, updated_at)
        VALUES (@folder, @path, @filename, @ext, @filesize, @mtime, @hash, @width, @height, @format, @animated, @frames,
          @type, @illustid, @page, @userid, @username, @tweetid, @postid, @md5, @date, @now, @now)`),
      updateImage: db.prepare(`UPDATE images SET filename = @filename, ext = @ext, filesize = @filesize, mtime = @mtime, hash = @hash,
          width = @width, height = @height, format = @format, animated = @animated, frames = @frames, type = @type,
          illustid = @illustid, page = @page, userid = @userid, username = @username, tweetid = @tweetid, postid = @postid,
          md5 = @md5, date = @date, textlen = 0, text = NULL, ai_reread = 0, updated_at = @now
        WHERE id = @id`),
      aiRead: db.prepare<[number, number]>('UPDATE images SET ai_reread = 0, updated_at = ? WHERE id = ?'),
      markAiReread: db.prepare<[number]>('UPDATE images SET ai_reread = 1 WHERE id = ?'),
      relocate: db.prepare(`UPDATE images SET folder = @folder, path = @path, filename = @filename, ext = @ext, filesize = @filesize,
          mtime = @mtime, type = @type, illustid = @illustid, page = @page, userid = @userid, username = @username,
          tweetid = @tweetid, postid = @postid, md5 = @md5, date = @date, updated_at = @now
        WHERE id = @id`),
      touch: db.prepare<[number, number, number, number]>('UPDATE images SET filesize = ?, mtime = ?, updated_at = ? WHERE id = ?'),
      deleteAi: db.prepare<[number]>('DELETE FROM ai_parameters WHERE image_id = ?'),
      insertAi: db.prepare(`INSERT INTO ai_parameters (image_id, source, prompt, negative_prompt, seed, steps, cfg, sampler, model, extra, raw)
        VALUES (@id, @source, @prompt, @negativePrompt, @seed, @steps, @cfg, @sampler, @model, @extra, @raw)`),
      deleteTags1: db.prepare<[number]>('DELETE FROM tags1 WHERE image_id = ?'),
      insertTag1: db.prepare<[number, string]>('INSERT OR IGNORE INTO tags1 (image_id, value) VALUES (?, ?)'),
      deleteText: db.prepare<[number]>('DELETE FROM fulltext WHERE rowid = ?'),
      insertText: db.prepare<[number, string | null, string | null, string | null, string | null]>(
        'INSERT INTO fulltext (rowid, ocr, prompt, negative_prompt, tags1) VALUES (?, ?, ?, ?, ?)'),
      deleteImage: db.prepare<[number]>('DELETE FROM images WHERE id = ?'),
      hashOf: db.prepare<[number], { hash: string }>('SELECT hash FROM images WHERE id = ?'),
      hashUsed: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM images WHERE hash = ?'),
      upsertError: db.prepare(`INSERT INTO errors (folder, path, stage, reason, level, transient, filesize, mtime, at)
          VALUES (@folder, @path, @stage, @reason, @level, @transient, @filesize, @mtime, @at)
        ON CONFLICT (folder, path, stage) DO UPDATE SET reason = excluded.reason, level = excluded.level,
          transient = excluded.transient, filesize = excluded.filesize, mtime = excluded.mtime, at = excluded.at`),
      deleteOtherFailures: db.prepare<[string, string, string]>("DELETE FROM errors WHERE folder = ? AND path = ? AND level = 'error' AND stage <> ?"),
      deleteError: db.prepare<[string, string]>('DELETE FROM errors WHERE folder = ? AND path = ?'),
      deleteStageError: db.prepare<[string, string, string]>('DELETE FROM errors WHERE folder = ? AND path = ? AND stage = ?'),
      listErrors: db.prepare<[], ErrorRow>('SELECT folder, path, stage, reason, level, transient, at FROM errors ORDER BY at, folder, path, stage'),
      listFileErrors: db.prepare<[string, string], ErrorRow>('SELECT folder, path, stage, reason, level, transient, at FROM errors WHERE folder = ? AND path = ? ORDER BY at, stage'),
      listFolderErrors: db.prepare<[string], ErrorRow>('SELECT folder, path, stage, reason, level, transient, at FROM errors WHERE folder = ? ORDER BY at, path, stage'),
      failedFiles: db.prepare<[string], Omit<FailedFileState, 'transient'> & { transient: number }>(
        "SELECT path, filesize, mtime, transient FROM errors WHERE folder = ? AND level = 'error' AND filesize IS NOT NULL AND mtime IS NOT NULL"),
      probeWrite: db.prepare<[number]>('INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at'),
      enqueue: db.prepare(`INSERT INTO jobs (kind, key, payload, status, created_at, updated_at) VALUES (@kind, @key, @payload, 'pending', @now, @now)
        ON CONFLICT (kind, key) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at,
          status = CASE WHEN jobs.status = 'running' THEN 'running' ELSE 'pending' END, attempts = 0`),
      claim: db.prepare<[string, number, number, string, number, number], { id: number; kind: 'file'; key: string; payload: string; attempts: number }>(
        `UPDATE jobs SET status = 'running', worker = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
        WHERE id IN (SELECT id FROM jobs WHERE kind = ? AND (status = 'pending' OR (status = 'running' AND lease_until < ?)) ORDER BY id LIMIT ?)
        RETURNING id, kind, key, payload, attempts`),
      finishJob: db.prepare<[number]>('DELETE FROM jobs WHERE id = ?'),
      failJob: db.prepare<[string, number, number]>("UPDATE jobs SET status = 'failed', error = ?, worker = NULL, lease_until = NULL, updated_at = ? WHERE id = ?"),
      runningWorkers: db.prepare<[], { worker: string }>("SELECT DISTINCT worker FROM jobs WHERE status = 'running' AND worker IS NOT NULL"),
      releaseWorker: db.prepare<[number, string]>("UPDATE jobs SET status = 'pending', worker = NULL, lease_until = NULL, updated_at = ? WHERE status = 'running' AND worker = ?"),
      countJobs: db.prepare<[], { status: JobStatus; n: number }>('SELECT status, count(*) AS n FROM jobs GROUP BY status'),
    }
  }

  async listFolders(): Promise<string[]> {
    return this.statements.folders.all().map((row) => row.folder)
  }

  async fileStates(folder: string): Promise<Map<string, FileState>> {
    const states = new Map<string, FileState>()
    for (const { ai_reread: reread, ...row } of this.statements.fileStates.iterate(folder)) states.set(row.path, reread ? { ...row, aiReread: true } : row)
    return states
  }

  async getImage(id: number): Promise<ImageRecord | undefined> {
    return this.hydrate(this.statements.byId.get(id))
  }

  async getImages(ids: number[]): Promise<ImageRecord[]> {
    return ids.flatMap((id) => this.hydrate(this.statements.byId.get(id)) ?? [])
  }

  async findByPath(folder: string, path: string): Promise<ImageRecord | undefined> {
    return this.hydrate(this.statements.byPath.get(folder, path))
  }

  async findByHash(hash: string): Promise<ImageRecord[]> {
    return this.statements.byHash.all(hash).map((row) => this.hydrate(row)!)
  }

  async saveImage(input: ImageInput): Promise<number> {
    return (await this.saveImages([input]))[0]!
  }

  async saveImages(inputs: ImageInput[]): Promise<number[]> {
    if (!inputs.length) return []
    const existing = inputs.flatMap((input) => this.statements.idAtPath.get(input.folder, input.path)?.id ?? [])
    const ids = this.tracked(existing, () => this.db.transaction(() => inputs.map((input) => this.writeImage(input))).immediate(), (saved) => saved)
    this.vectors.afterWrite()
    // A path given twice was written twice into one row: every position answers with its id.
    return ids
  }

  async relocateImage(id: number, to: Relocation): Promise<void> {
    await this.relocateImages([{ id, to }])
  }

  async relocateImages(entries: Array<{ id: number; to: Relocation }>): Promise<void> {
    if (!entries.length) return
    this.tracked(entries.map((entry) => entry.id), () => this.db.transaction(() => {
      const now = Date.now()
      for (const { id, to } of entries) {
        this.statements.relocate.run({ ...sourceParams(to), ...to, id, now })
        this.writeTags1(id, to.tags1 ?? [])
        const current = this.statements.byId.get(id)
        if (current) this.writeFulltext(id, { ai: this.hydrate(current)?.ai, tags1: to.tags1 }, current.text)
        this.pixiv.reapply(id)
      }
    }).immediate())
  }

  async setAiParameters(entries: Array<{ id: number; ai?: AiParameters }>): Promise<void> {
    if (!entries.length) return
    this.tracked(entries.map((entry) => entry.id), () => this.db.transaction(() => {
      const now = Date.now()
      for (const { id, ai } of entries) {
        const row = this.statements.byId.get(id)
        if (!row) continue
        this.writeAi(id, { ai })
        // The full-text row keeps the OCR text and tags1; only the prompts change.
        this.writeFulltext(id, { ai, tags1: this.statements.tags1Of.all(id).map((tag) => tag.value) }, row.text)
        this.statements.aiRead.run(now, id)
      }
    }).immediate())
  }

  async markAiReread(ids: number[]): Promise<void> {
    this.db.transaction(() => {
      for (const id of ids) this.statements.markAiReread.run(id)
    }).immediate()
  }

  async touchImage(id: number, filesize: number, mtime: number): Promise<void> {
    this.statements.touch.run(filesize, mtime, Date.now(), id)
  }

  async removeImages(ids: number[]): Promise<string[]> {
    const unused = this.tracked(ids, () => this.db.transaction(() => {
      const hashes = new Set<string>()
      for (const id of ids) {
        const row = this.statements.hashOf.get(id)
        if (!row) continue
        hashes.add(row.hash)
        this.statements.deleteText.run(id)
        this.statements.deleteImage.run(id)
      }
      return [...hashes].filter((hash) => this.statements.hashUsed.get(hash)!.n === 0)
    }).immediate(), () => [])
    // The embeddings went with the images (ON DELETE CASCADE); the graph follows the change log.
    this.vectors.afterWrite()
    return unused
  }

  async setTags(id: number, tags: TagScore[]): Promise<void> {
    await this.setTagsMany([{ id, tags }])
  }

  async setTagsMany(entries: Array<{ id: number; tags: TagScore[] }>): Promise<void> {
    this.tracked(entries.map((entry) => entry.id), () => this.db.transaction(() => {
      for (const { id, tags } of entries) {
        // An image removed meanwhile is skipped (its model outputs have nothing to hang off).
        if (!this.statements.hashOf.get(id)) continue
        this.statements.deleteTags.run(id)
        // One row per name, the last given winning: INSERT OR REPLACE of a repeated name would count it twice
        // (a REPLACE deletes without firing the delete trigger).
        for (const tag of new Map(tags.map((tag) => [tag.name, tag])).values()) {
          const { id: tagId } = this.statements.upsertTagName.get(tag.name, tag.category)!
          this.statements.insertTag.run(id, tagId, tag.score)
        }
      }
    }).immediate())
  }

  async setOcrText(id: number, text: string): Promise<void> {
    await this.setOcrTexts([{ id, text }])
  }

  async setOcrTexts(entries: Array<{ id: number; text: string }>): Promise<void> {
    this.tracked(entries.map((entry) => entry.id), () => this.db.transaction(() => {
      for (const { id, text } of entries) {
        const trimmed = text.trim()
        this.statements.setOcr.run(trimmed || null, [...trimmed].length, Date.now(), id)
        const row = this.statements.byId.get(id)
        if (row) {
          const image = this.hydrate(row)!
          this.writeFulltext(id, image, image.text ?? null)
        }
      }
    }).immediate())
  }

  async pendingForStage(stage: string, version: string, limit: number, afterId = 0): Promise<StageWork[]> {
    return this.statements.pendingForStage.all(stage, version, afterId, limit)
  }

  async markStageDone(ids: number[], stage: string, version: string): Promise<void> {
    const now = Date.now()
    this.db.transaction(() => {
      // An image removed while its batch ran has no row to mark (the foreign key would refuse it).
      for (const id of ids) {
        if (this.statements.hashOf.get(id)) this.statements.markStage.run(id, stage, version, now)
        this.statements.endStageLease.run(id, stage)
      }
    }).immediate()
  }

  async claimStageWork(stage: string, version: string, worker: string, limit: number, leaseMs: number, afterId = 0): Promise<StageWork[]> {
    // One IMMEDIATE transaction: another process claiming at the same moment waits, then sees these leases.
    return this.db.transaction(() => {
      const now = Date.now()
      const work = this.statements.claimableForStage.all(afterId, stage, version, stage, now, limit)
      for (const item of work) this.statements.leaseStage.run(item.id, stage, worker, now + leaseMs)
      return work
    }).immediate()
  }

  async releaseStageWork(stage: string, worker: string, ids: number[]): Promise<void> {
    if (!ids.length) return
    this.db.transaction(() => {
      for (const id of ids) this.statements.releaseStageLease.run(id, stage, worker)
    }).immediate()
  }

  async releaseStageLeases(isWorkerAlive: (worker: string) => boolean): Promise<number> {
    let released = 0
    for (const worker of this.statements.stageLeaseWorkers.all()) {
      if (!isWorkerAlive(worker)) released += this.statements.releaseWorkerStageLeases.run(worker).changes
    }
    return released
  }

  async stageCounts(stage: string, version: string): Promise<{ done: number; pending: number }> {
    const done = this.statements.stageDone.get(stage, version)!.n
    return { done, pending: Math.max(0, this.statements.countAll.get()!.n - done) }
  }

  async stageVersions(): Promise<Array<{ stage: string; version: string }>> {
    return this.statements.stageVersions.all()
  }

  async recordError(error: ErrorInput): Promise<void> {
    this.db.transaction(() => {
      // One failure per file, its last: a file that now fails at another stage no longer fails at the old one.
      if (error.level === 'error') this.statements.deleteOtherFailures.run(error.folder, error.path, error.stage)
      this.statements.upsertError.run({ filesize: null, mtime: null, ...error, transient: error.transient ? 1 : 0, at: Date.now() })
    }).immediate()
  }

  async clearError(folder: string, path: string, stage?: string): Promise<void> {
    if (stage === undefined) this.statements.deleteError.run(folder, path)
    else this.statements.deleteStageError.run(folder, path, stage)
  }

  async clearErrors(folder: string, paths: string[]): Promise<void> {
    this.db.transaction(() => {
      for (const path of paths) this.statements.deleteError.run(folder, path)
    }).immediate()
  }

  async listErrors(folder?: string, path?: string): Promise<ErrorRecord[]> {
    const rows = folder === undefined
      ? this.statements.listErrors.all()
      : path === undefined ? this.statements.listFolderErrors.all(folder) : this.statements.listFileErrors.all(folder, path)
    return rows.map((row) => ({ ...row, transient: row.transient !== 0 }))
  }

  async failedFiles(folder: string): Promise<Map<string, FailedFileState>> {
    return new Map(this.statements.failedFiles.all(folder).map((row) => [row.path, { ...row, transient: row.transient !== 0 }]))
  }

  async probeWrite(): Promise<void> {
    this.statements.probeWrite.run(Date.now())
  }

  async enqueueJobs(jobs: JobInput[]): Promise<void> {
    const now = Date.now()
    this.db.transaction(() => {
      for (const job of jobs) this.statements.enqueue.run({ kind: job.kind, key: job.key, payload: JSON.stringify(job.payload), now })
    }).immediate()
  }

  async claimJobs(kind: JobInput['kind'], limit: number, worker: string, leaseMs: number): Promise<Job[]> {
    const now = Date.now()
    const rows = this.statements.claim.all(worker, now + leaseMs, now, kind, now, limit)
    return rows
      .map((row) => ({ id: row.id, kind: row.kind, key: row.key, attempts: row.attempts, payload: JSON.parse(row.payload) as Record<string, unknown> }))
      .sort((a, b) => a.id - b.id)
  }

  async finishJob(id: number): Promise<void> {
    this.statements.finishJob.run(id)
  }

  async failJob(id: number, reason: string): Promise<void> {
    this.statements.failJob.run(reason, Date.now(), id)
  }

  async releaseJobs(isWorkerAlive: (worker: string) => boolean): Promise<number> {
    let released = 0
    for (const { worker } of this.statements.runningWorkers.all()) {
      if (!isWorkerAlive(worker)) released += this.statements.releaseWorker.run(Date.now(), worker).changes
    }
    return released
  }

  async countJobs(): Promise<Record<JobStatus, number>> {
    const counts: Record<JobStatus, number> = { pending: 0, running: 0, failed: 0 }
    for (const row of this.statements.countJobs.all()) counts[row.status] = row.n
    return counts
  }

  async pixivPending(options: { limit?: number; retryFailed?: boolean }): Promise<PixivPendingWork[]> {
    return this.pixiv.pending(options)
  }

  async savePixivWork(illustid: string, outcome: PixivOutcome): Promise<void> {
    // A fetch rewrites the tags1 of every page image, which the memory index holds.
    this.tracked(this.statements.workImages.all(illustid), () => this.pixiv.save(illustid, outcome))
  }

  async propagateUserNames(): Promise<number> {
    return this.pixiv.propagateUserNames()
  }

  async pixivCounts(): Promise<PixivCounts> {
    return this.pixiv.counts()
  }

  async search(request: SearchRequest): Promise<StorePage> {
    const part = this.indexedPart(request.query)
    const byScore = this.searchByTagScore(request, part)
    if (byScore) return byScore
    const total = part ? this.countIndexed(part) : await this.count(request.query)
    const strategy = this.pageStrategy(request.sort, total)
    const filter = part ? this.indexedFilter(part, strategy, request.sort) : compileSqlFilter(request.query, strategy, this.resolveTags)
    const keyset = request.after ? compileKeyset(request.sort, request.after) : undefined
    const where = keyset ? { sql: `(${filter.sql}) AND (${keyset.sql})`, params: [...filter.params, ...keyset.params] } : filter
    const columns = sortColumns(request.sort)
    const select = `SELECT i.id${columns.map((column, k) => `, ${column} AS sort_${k}`).join('')}`
    const rows = this.withMatches(part, () => this.all<Record<string, string | number | null>>({
      sql: `${select} ${sqlFrom(part ? part.rest : request.query, request.sort)} WHERE ${where.sql} ORDER BY ${compileSqlOrder(request.sort)} LIMIT ? OFFSET ?`,
      params: [...where.params, request.limit + 1, request.offset ?? 0],
    }))
    const page = rows.slice(0, request.limit)
    const last = page.at(-1)
    const next: SortCursor | undefined = rows.length > request.limit && last
      ? { values: columns.map((_column, k) => last[`sort_${k}`] ?? null), id: Number(last.id) }
      : undefined
    const results = page.map((row) => this.hydrate(this.statements.byId.get(Number(row.id)))!).filter(Boolean)
    return { total, results, ...(next ? { next } : {}) }
  }

  /**
   * A page sorted by one tag's score (`tags.long_hair;-1`) from the memory index: its score column
   * in order, filtered by the index's matches, then (or, ascending, first) the matches without the
   * tag by id descending — SQL's order, where the score is NULL for them. Only when the index
   * settles the whole query and the sort is that one key; otherwise undefined, and SQL sorts.
   */
  private searchByTagScore(request: SearchRequest, part: IndexedPart | undefined): StorePage | undefined {
    const [key, ...rest] = request.sort
    const index = this.memory?.current()
    if (!key || rest.length || !key.field.startsWith('tags.') || !index) return undefined
    if (request.query.children.length && (!part || part.rest.children.length)) return undefined
    const tagIds = this.resolveTags(key.field.slice('tags.'.length), false)
    if (tagIds.length !== 1) return undefined
    const matched = part?.matched
    const { ordered, without } = index.scoreOrder(tagIds[0]!, key.direction, this.lookups)
    const after = request.after
    const afterScore = after ? (after.values[0] ?? null) as number | null : undefined
    const want = (request.offset ?? 0) + request.limit + 1
    const rows: Array<{ id: number; score: number | null }> = []
    const tagged = () => {
      // Descending, the images without the tag come last: a cursor among them skips every tagged one.
      if (afterScore === null && key.direction === -1) return
      for (const [id, score] of ordered) {
        if (rows.length >= want) return
        if (matched && !matched.has(id)) continue
        if (after && afterScore !== null && afterScore !== undefined) {
          const beyond = key.direction === -1 ? score < afterScore : score > afterScore
          if (!beyond && !(score === afterScore && id < after.id)) continue
        }
        rows.push({ id, score })
      }
    }
    const untagged = () => {
      // Ascending, they come first: a cursor among the tagged ones is past all of them.
      if (afterScore !== undefined && afterScore !== null && key.direction === 1) return
      const pool = matched ? without.and(matched) : without
      for (const id of descendingIds(pool)) {
        if (rows.length >= want) return
        if (afterScore === null && after && id >= after.id) continue
        rows.push({ id, score: null })
      }
    }
    if (key.direction === -1) {
      tagged()
      untagged()
    } else {
      untagged()
      tagged()
    }
    const page = rows.slice(request.offset ?? 0, want - 1)
    const last = page.at(-1)
    const total = part ? this.countIndexed(part) : this.statements.countAll.get()!.n
    const results = page.map((row) => this.hydrate(this.statements.byId.get(row.id))!).filter(Boolean)
    const next: SortCursor | undefined = rows.length >= want && last ? { values: [last.score], id: last.id } : undefined
    return { total, results, ...(next ? { next } : {}) }
  }

  /**
   * What the memory index settles of a query: the images matching the clauses it holds (all of
   * them, or some of a top-level AND), and the clauses left to SQL. Undefined without a ready index
   * or when it holds none of the clauses.
   */
  private indexedPart(query: AndNode): IndexedPart | undefined {
    const index = this.memory?.current()
    if (!index || !query.children.length) return undefined
    const whole = index.evaluate(query, this.lookups)
    if (whole) return { matched: whole, rest: { ...query, children: [] } }
    let matched: Bitset | undefined
    const rest: QueryNode[] = []
    for (const child of query.children) {
      const set = index.evaluate(child, this.lookups)
      if (!set) rest.push(child)
      else matched = matched ? matched.and(set) : set
    }
    return matched && { matched, rest: { ...query, children: rest } }
  }

  private countIndexed(part: IndexedPart): number {
    if (!part.rest.children.length) return part.matched.count()
    const filter = this.indexedFilter(part, 'set', [])
    return this.withMatches(part, () => this.all<{ n: number }>({ sql: `SELECT count(*) AS n ${sqlFrom(part.rest)} WHERE ${filter.sql}`, params: filter.params }))[0]!.n
  }

  /**
   * The SQL filter for an indexed part: the clauses left to SQL, and the index's matches either as
   * a list of ids (few matches, or a plan that cannot stop early) or as `sagasu_matched(id)`, a JS
   * test per row that needs no table read (many matches: the page walks the sort index, or the SQL
   * clauses' own indexes drive).
   */
  private indexedFilter(part: IndexedPart, strategy: SetStrategy, sort: SortKey[]): SqlFragment {
    const matches = part.matched.count()
    const walks = !part.rest.children.length && INDEXED_SORTS.has(withTieBreak(sort)[0]!.field) && matches * MAX_WALK_PER_MATCH >= this.idRange()
    const byIds = !walks && matches <= (part.rest.children.length ? MAX_IDS_DRIVING : MAX_IDS_INLINE)
    const matched = byIds
      ? { sql: 'i.id IN (SELECT value FROM json_each(?))', params: [JSON.stringify([...part.matched.ids()])] }
      : { sql: 'sagasu_matched(i.id)', params: [] }
    if (!part.rest.children.length) return matched
    // With the ids driving, the other clauses are checked per row; otherwise they drive with their indexes.
    const rest = compileSqlFilter(part.rest, byIds ? 'probe' : strategy, this.resolveTags)
    return { sql: `${matched.sql} AND ${rest.sql}`, params: [...matched.params, ...rest.params] }
  }

  /** Runs a statement that may call `sagasu_matched`, with the part's matches behind it. */
  private withMatches<T>(part: IndexedPart | undefined, run: () => T): T {
    this.matched = part?.matched
    try {
      return run()
    } finally {
      this.matched = undefined
    }
  }

  /**
   * Probe per row when the matches are a large share of the library and the sort has an index
   * (the page then stops after the first matches in sort order); otherwise build each set once.
   */
  private pageStrategy(sort: SortKey[], total: number): SetStrategy {
    const lead = withTieBreak(sort)[0]!.field
    if (!INDEXED_SORTS.has(lead)) return 'set'
    const size = this.idRange()
    return size > 0 && total / size >= 0.02 ? 'probe' : 'set'
  }

  private idRange(): number {
    return this.statements.maxId.get()?.n ?? 0
  }

  async count(query: AndNode): Promise<number> {
    if (!query.children.length) return this.statements.countAll.get()!.n
    const single = query.children.length === 1 ? this.countSingleTag(query.children[0]!) : undefined
    if (single !== undefined) return single
    const part = this.indexedPart(query)
    if (part) return this.countIndexed(part)
    const driven = this.countFromRarestTag(query)
    if (driven !== undefined) return driven
    const filter = compileSqlFilter(query, 'set', this.resolveTags)
    return this.all<{ n: number }>({ sql: `SELECT count(*) AS n ${sqlFrom(query)} WHERE ${filter.sql}`, params: filter.params })[0]!.n
  }

  /**
   * A query that is one plain tag clause (the commonest search) is counted from the tag index
   * alone — the maintained per-tag count, or the (tag, score) index range — instead of visiting
   * every matching image.
   */
  private countSingleTag(node: QueryNode): number | undefined {
    const negated = node.type === 'not'
    const leaf = negated ? node.child : node
    if (leaf.type !== 'tag' || leaf.pattern) return undefined
    let n: number
    if (!leaf.comparisons.length) {
      n = this.statements.tagCount.get(leaf.name)?.n ?? 0
    } else {
      const scores = scoreConditions(leaf.comparisons, 'score')
      n = this.all<{ n: number }>({
        sql: `SELECT count(*) AS n FROM image_tags WHERE tag_id = (SELECT id FROM tag_names WHERE name = ?) AND ${scores.sql}`,
        params: [leaf.name, ...scores.params],
      })[0]!.n
    }
    return negated ? this.statements.countAll.get()!.n - n : n
  }

  /**
   * An AND with a plain tag clause among others (the typical booru search) is counted by walking
   * that tag's index entries — the rarest such tag's — and checking the other clauses per image,
   * instead of building a set of every matching image for each clause.
   */
  private countFromRarestTag(query: AndNode): number | undefined {
    const tags = query.children.filter((child): child is TagNode => child.type === 'tag' && !child.pattern)
    if (!tags.length || query.children.length < 2) return undefined
    const sized = tags.map((node) => ({ node, count: this.statements.tagCount.get(node.name)?.n ?? 0 }))
    const driver = sized.reduce((a, b) => (b.count < a.count ? b : a))
    if (driver.count === 0) return 0
    const rest: AndNode = { type: 'and', children: query.children.filter((child) => child !== driver.node), span: query.span }
    const filter = compileSqlFilter(rest, 'probe', this.resolveTags)
    const scores = scoreConditions(driver.node.comparisons, 'd.score')
    const from = `FROM image_tags d JOIN images i ON i.id = d.image_id${sqlFrom(rest) === 'FROM images i' ? '' : ' LEFT JOIN ai_parameters a ON a.image_id = i.id'}`
    return this.all<{ n: number }>({
      sql: `SELECT count(*) AS n ${from} WHERE d.tag_id = (SELECT id FROM tag_names WHERE name = ?)${scores.sql ? ` AND ${scores.sql}` : ''} AND ${filter.sql}`,
      params: [driver.node.name, ...scores.params, ...filter.params],
    })[0]!.n
  }

  compile(query: AndNode, sort: SortKey[]): CompiledQuery {
    const filter = compileSqlFilter(query)
    const part = this.indexedPart(query)
    const inMemory = part ? (part.rest.children.length ? 'memory index and sql' : 'memory index') : 'sql'
    return {
      language: 'sql',
      text: { from: sqlFrom(query, sort), where: filter.sql, params: filter.params, orderBy: compileSqlOrder(sort), total: inMemory },
    }
  }

  async suggestTags(prefix: string, limit: number): Promise<TagInfo[]> {
    // A range on the unique name index rather than LIKE, which would not use it.
    return this.statements.suggestTags.all(prefix, `${prefix}\u{10FFFF}`, limit)
  }

  /** Loads the in-memory index when the store was opened with one; resolves when it is ready. */
  async warmUp(): Promise<void> {
    await Promise.all([this.memory?.warmUp(), this.vectors.warmUp()])
  }

  async saveEmbedding(imageId: number, model: string, vector: Float32Array): Promise<void> {
    await this.saveEmbeddings(model, [{ id: imageId, vector }])
  }

  async saveEmbeddings(model: string, entries: Array<{ id: number; vector: Float32Array }>): Promise<void> {
    checkModel(model)
    const dims = this.embeddings.dims(model) ?? entries[0]?.vector.length
    for (const { vector } of entries) checkVector(vector, dims, model)
    this.db.transaction(() => {
      for (const { id, vector } of entries) this.embeddings.save(id, model, vectorToBytes(vector), vector.length)
    }).immediate()
    this.vectors.afterWrite()
  }

  async getEmbedding(imageId: number, model: string): Promise<Float32Array | undefined> {
    const bytes = this.embeddings.get(imageId, model)
    return bytes && bytesToVector(bytes)
  }

  async imagesWithoutEmbedding(model: string, limit: number): Promise<number[]> {
    checkModel(model)
    if (!Number.isInteger(limit) || limit < 0) throw new VectorInputError(`limit must be a non-negative integer, got ${limit}`)
    return this.embeddings.imagesWithout(model, limit)
  }

  async nearest(request: NearestRequest): Promise<Array<{ id: number; score: number }>> {
    const { model, vector, k, minScore } = request
    checkModel(model)
    if (!Number.isInteger(k) || k < 1 || k > MAX_NEAREST_K) throw new VectorInputError(`k must be an integer from 1 to ${MAX_NEAREST_K}, got ${k}`)
    if (minScore !== undefined && !Number.isFinite(minScore)) throw new VectorInputError(`minScore must be a finite number, got ${minScore}`)
    const dims = this.embeddings.dims(model)
    if (dims === undefined) return []
    checkVector(vector, dims, model)
    const index = this.vectors.ready(model)
    const { hits } = planNearest({
      vector,
      k,
      ...(minScore === undefined ? {} : { minScore }),
      ...(request.query?.children.length ? { matching: this.matchingSet(request.query) } : {}),
      ...(index ? { index } : {}),
      exactBelow: this.exactBelow,
      scanExact: (ids) => scanExact(ids ? this.embeddings.ofIds(model, ids) : this.embeddings.all(model), vector, k, minScore),
    })
    return hits.ids.map((id, n) => ({ id, score: hits.scores[n]! }))
  }

  async rebuildVectorIndex(options: { model?: string; onProgress?: (model: string, done: number, total: number) => void } = {}): Promise<VectorIndexStats[]> {
    const models = options.model === undefined ? this.embeddings.models() : [options.model]
    const stats: VectorIndexStats[] = []
    for (const model of models) {
      const rebuilt = await this.vectors.rebuild(model, (done, total) => options.onProgress?.(model, done, total))
      if (rebuilt) stats.push(rebuilt)
    }
    return stats
  }

  async vectorIndexStats(): Promise<VectorIndexStats[]> {
    return this.vectors.allStats()
  }

  /**
   * The images a query matches, for a vector search: the memory index's set when it settles the
   * whole query, else the ids SQL finds (helped by the memory index's part when there is one).
   */
  private matchingSet(query: AndNode): MatchingSet {
    const part = this.indexedPart(query)
    let set: Bitset
    if (part && !part.rest.children.length) {
      set = part.matched
    } else {
      const filter = part ? this.indexedFilter(part, 'set', []) : compileSqlFilter(query, 'set', this.resolveTags)
      const from = sqlFrom(part ? part.rest : query)
      const ids = this.withMatches(part, () => this.db.prepare(`SELECT i.id ${from} WHERE ${filter.sql}`).pluck().all(...filter.params) as number[])
      set = Bitset.fromIds(ids, this.idRange() + 1)
    }
    const size = set.count()
    return { size, has: (id) => set.has(id), ids: () => [...set.ids()] }
  }

  /** A write, applied to the in-memory index too when there is one. */
  private tracked<T>(ids: number[], write: () => T, written?: (result: T) => number[]): T {
    return this.memory ? this.memory.track(ids, write, written) : write()
  }

  private readonly lookups: IndexLookups = {
    tagIds: (name, pattern) => this.resolveTags(name, pattern),
    tagScores: (tagId) => this.memory!.tagScores(tagId),
  }

  private readonly resolveTags: TagResolver = (name, pattern) => pattern
    ? this.statements.tagIdsLike.all(toGlob(name)).map((row) => row.id)
    : this.statements.tagIdsNamed.all(name).map((row) => row.id)

  private all<T>(fragment: SqlFragment): T[] {
    return this.db.prepare(fragment.sql).all(...fragment.params) as T[]
  }

  async stats(): Promise<StoreStats> {
    const totals = this.db.prepare('SELECT count(*) AS images, coalesce(sum(filesize), 0) AS bytes FROM images').get() as { images: number; bytes: number }
    const byType: Record<SourceType, number> = { pixiv: 0, twitter: 0, yandere: 0, danbooru: 0, other: 0 }
    for (const row of this.db.prepare('SELECT type, count(*) AS n FROM images GROUP BY type').all() as Array<{ type: SourceType; n: number }>) {
      byType[row.type] = row.n
    }
    const one = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n
    const jobs = await this.countJobs()
    return {
      images: totals.images,
      bytes: totals.bytes,
      byType,
      withAiParameters: one('SELECT count(*) AS n FROM ai_parameters'),
      errors: one("SELECT count(*) AS n FROM errors WHERE level = 'error'"),
      pendingJobs: jobs.pending + jobs.running,
      folders: this.db.prepare('SELECT folder AS name, count(*) AS images FROM images GROUP BY folder ORDER BY folder').all() as StoreStats['folders'],
    }
  }

  async charts(top: number): Promise<LibraryCharts> {
    const topTags = this.db.prepare(`
      SELECT n.name, n.category, t.count FROM (SELECT tag_id, count(*) AS count FROM image_tags GROUP BY tag_id ORDER BY count DESC LIMIT ?) t
      JOIN tag_names n ON n.id = t.tag_id ORDER BY t.count DESC, n.name`).all(top) as LibraryCharts['topTags']
    // pixiv and Twitter ids are separate namespaces; any one of a user's names will do for a label.
    const topUsers = this.db.prepare(`
      SELECT type, userid, max(username) AS username, count(*) AS images FROM images WHERE userid IS NOT NULL
      GROUP BY type, userid ORDER BY images DESC, userid LIMIT ?`).all(top) as LibraryCharts['topUsers']
    const byMonth = this.db.prepare(`
      SELECT strftime('%Y-%m', coalesce(date, mtime) / 1000, 'unixepoch') AS month, count(*) AS images FROM images
      GROUP BY month ORDER BY month`).all() as LibraryCharts['byMonth']
    return { topTags, topUsers, byMonth }
  }

  async searchPrompts(request: PromptSearchRequest): Promise<PromptSearchPage> {
    return this.prompts.search(request)
  }

  async promptStats(): Promise<PromptStats> {
    return this.prompts.stats()
  }

  async datasetCounts(): Promise<DatasetCounts> {
    return this.dataset.counts()
  }

  async tagInfo(name: string): Promise<TagInfo | undefined> {
    return this.dataset.tagInfo(name)
  }

  /**
   * Chunks by id keyset, each its own statement: an open iterator would hold the connection busy,
   * and the live library's writes would fail meanwhile. When the matches are a large part of the
   * library the filter probes row by row along the id order; otherwise its sets are built per chunk,
   * which is cheap for few matches.
   */
  async *matchingImageKeys(query: AndNode): AsyncIterable<ImageKey[]> {
    const total = await this.count(query)
    if (total === 0) return
    const strategy = this.pageStrategy([{ field: 'id', direction: 1, span: query.span }], total)
    const read = this.dataset.keyChunkReader(compileSqlFilter(query, strategy, this.resolveTags), sqlFrom(query))
    let after = 0
    for (;;) {
      const chunk = read(after, KEY_CHUNK)
      if (chunk.length) yield chunk
      if (chunk.length < KEY_CHUNK) return
      after = chunk.at(-1)!.id
      // Lets other requests in between chunks of a large scan.
      await nextTurn()
    }
  }

  async saveBatchSet(set: BatchSetRecord, members: Iterable<BatchMember>): Promise<void> {
    this.dataset.saveBatchSet(set, members)
  }

  async listBatchSets(): Promise<string[]> {
    return this.dataset.listBatchSets()
  }

  async getBatchSet(id: string): Promise<BatchSetRecord | undefined> {
    return this.dataset.getBatchSet(id)
  }

  async batchEntries(id: string, split: DatasetSplit, offset: number, limit: number): Promise<BatchEntry[]> {
    return this.dataset.members(id, split, offset, limit).map(({ position, member, currentId }) => {
      const image = currentId === null ? undefined : this.hydrate(this.statements.byId.get(currentId))
      return image ? { position, member, image } : { position, member }
    })
  }

  async deleteBatchSet(id: string): Promise<boolean> {
    return this.dataset.deleteBatchSet(id)
  }

  async close(): Promise<void> {
    if (!this.db.open) return
    this.memory?.close()
    this.vectors.close()
    // Keeps the planner's statistics fresh for the indexes the queries of this session used.
    this.db.pragma('optimize')
    this.db.close()
  }

  private hydrate(row: ImageRow | undefined): ImageRecord | undefined {
    if (!row) return undefined
    const tags = this.statements.tagsOf.all(row.id)
    const image = rowToImage(row, this.statements.tags1Of.all(row.id).map((tag) => tag.value), tags.length ? Object.fromEntries(tags.map((tag) => [tag.name, tag.score])) : undefined)
    const pixiv = row.type === 'pixiv' && row.illustid !== null ? this.pixiv.work(row.illustid) : undefined
    if (pixiv) image.pixiv = pixiv
    return image
  }

  /** New tags1 for an image, with its full-text row (OCR and prompts kept). */
  private rewriteTags1(id: number, tags1: string[]): void {
    this.writeTags1(id, tags1)
    const row = this.statements.byId.get(id)
    if (row) this.writeFulltext(id, { ai: rowToImage(row, []).ai, tags1 }, row.text)
  }

  /** Inserts or replaces one image row with what hangs off it; runs inside the caller's transaction. */
  private writeImage(input: ImageInput): number {
    const now = Date.now()
    const params = { ...sourceParams(input), ...input, animated: input.animated ? 1 : 0, now }
    const existing = this.statements.idAtPath.get(input.folder, input.path)
    let id: number
    if (existing) {
      id = existing.id
      this.statements.updateImage.run({ ...params, id })
      // New content: the model outputs of the old one no longer apply.
      this.statements.deleteTags.run(id)
      this.statements.deleteStages.run(id)
      this.embeddings.deleteForImage(id)
    } else {
      id = Number(this.statements.insertImage.run(params).lastInsertRowid)
    }
    this.writeAi(id, input)
    this.writeTags1(id, input.tags1 ?? [])
    this.writeFulltext(id, input)
    // pixiv metadata belongs to the work: a changed file, or a new page of a known work, gets it (again).
    if (input.type === 'pixiv' && input.illustid) this.pixiv.reapply(id)
    return id
  }

  private writeAi(id: number, input: Pick<ImageInput, 'ai'>): void {
    this.statements.deleteAi.run(id)
    const ai = input.ai
    if (!ai) return
    this.statements.insertAi.run({
      id,
      source: ai.source,
      prompt: ai.prompt,
      negativePrompt: ai.negativePrompt ?? null,
      seed: ai.seed ?? null,
      steps: ai.steps ?? null,
      cfg: ai.cfg ?? null,
      sampler: ai.sampler ?? null,
      model: ai.model ?? null,
      extra: ai.extra ? JSON.stringify(ai.extra) : null,
      raw: ai.raw,
    })
  }

  private writeTags1(id: number, tags1: string[]): void {
    this.statements.deleteTags1.run(id)
    for (const tag of tags1) this.statements.insertTag1.run(id, tag)
  }

  private writeFulltext(id: number, input: Pick<ImageInput, 'ai' | 'tags1'>, ocr: string | null = null): void {
    this.statements.deleteText.run(id)
    const tags1 = input.tags1?.length ? input.tags1.join(' ') : null
    if (ocr === null && !input.ai && tags1 === null) return
    this.statements.insertText.run(id, ocr, input.ai?.prompt ?? null, input.ai?.negativePrompt ?? null, tags1)
  }
}

/** A model name as embeddings are stored under. */
function checkModel(model: string): void {
  if (typeof model !== 'string' || !model.trim() || model.length > 200) throw new VectorInputError('the model must be a non-empty name of at most 200 characters')
}

/** Every optional source column, null when absent, so named parameters are always bound. */
function sourceParams(input: Partial<Relocation>) {
  return {
    illustid: input.illustid ?? null,
    page: input.page ?? null,
    userid: input.userid ?? null,
    username: input.username ?? null,
    tweetid: input.tweetid ?? null,
    postid: input.postid ?? null,
    md5: input.md5 ?? null,
    date: input.date ?? null,
  }
}

/** A bitset's ids, largest first. */
function* descendingIds(set: Bitset): Generator<number> {
  const words = set.words
  for (let k = words.length - 1; k >= 0; k--) {
    let v = words[k]!
    while (v !== 0) {
      const bit = 31 - Math.clz32(v)
      yield (k << 5) + bit
      v &= ~(1 << bit)
    }
  }
}
