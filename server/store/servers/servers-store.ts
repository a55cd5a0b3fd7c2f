import { setImmediate as nextTurn } from 'node:timers/promises'
import type { AnyBulkWriteOperation, Db, MongoClient, UpdateFilter } from 'mongodb'
import type { ErrorRecord, LibraryCharts, StoreStats } from '../../../shared/types/api'
import type { DatasetSplit } from '../../../shared/types/dataset'
import type { AiParameters, ImageInput, ImageRecord, SourceType, TagCategory, TagInfo, TagScore } from '../../../shared/types/image'
import type { PromptSearchPage, PromptStats } from '../../../shared/types/prompt'
import type { AndNode, QueryNode, SortKey, TextNode } from '../../query/ast'
import type {
  BatchEntry, BatchMember, BatchSetRecord, CompiledQuery, DatasetCounts, ErrorInput, FailedFileState, FileState, ImageKey, Job, JobInput,
  JobStatus, NearestRequest, PixivCounts, PixivOutcome, PixivPendingWork, PromptSearchRequest, Relocation, SearchRequest, StageWork, Store, StorePage,
  VectorIndexStats,
} from '../store'
import { MAX_NEAREST_K } from '../store'
import { VectorInputError } from '../vector-input-error'
import { checkVector } from '../embedded/vector-index/vector-codec'
import type { FullTextDocument, MilvusFilterCompiler, ServerFullText, ServerVectorIndex, VectorScalars } from './backends'
import { bulkWriteInChunks, collectionsOf, isDuplicateKey, reserveIds, writeHealthProbe, type ServersCollections, type StoredImageDocument, type TagNameDocument } from './mongo-collections'
import { MongoBatches } from './mongo-batches'
import { compileMongoFilter, compileMongoSort, tagPattern, type MongoFilter } from './mongo-filter'
import { ensureIndexes } from './mongo-indexes'
import { upgradeDocuments } from './mongo-upgrades'
import { MongoJobQueue } from './mongo-jobs'
import { MongoStageLeases } from './mongo-stage-leases'
import { bulkUpsertInChunks } from './racing-upserts'
import { compileMongoKeyset, cursorOf } from './mongo-keyset'
import { compareText, MongoPixiv } from './mongo-pixiv'
import { MongoPrompts } from './mongo-prompts'
import { nearestMatching } from './nearest-plan'
import { fromStoredImage, storedAiParameters, toStoredImage } from './stored-image'
import { tagScoresOf } from './tag-scores'

/** Images per chunk of `matchingImageKeys`. */
const KEY_CHUNK = 10_000
/** Ids per `$in` when reading many images. */
const IDS_PER_READ = 10_000
/** Stage names become document keys (`stages.<name>`): no dots, no `$`. */
const STAGE_NAME = /^[A-Za-z0-9_-]{1,64}$/

export interface ServersStoreOptions {
  client: MongoClient
  database: string
  /** The vectors (Milvus); without it the vector methods say no vector index is configured. */
  vectors?: ServerVectorIndex
  /** The part of a query the vector index runs as its own filter. */
  vectorFilterFor?: MilvusFilterCompiler
  /** The scalar fields stored beside each vector (for `vectorFilterFor`'s expressions). */
  vectorScalarsFor?: (image: ImageRecord) => VectorScalars
  /** Full-text candidates (Meilisearch); without it text clauses are MongoDB regexes alone. */
  fullText?: ServerFullText
}

/**
 * The servers profile: MongoDB holds every image and is the source of truth for all but the
 * vectors, which live in a ServerVectorIndex (Milvus); an optional ServerFullText (Meilisearch)
 * proposes candidates for the full-text clauses, which MongoDB confirms. Indexes are created on
 * first use. Every operation uses only what FerretDB v1 also has (docs/servers-profile.md).
 *
 * @example
 * const store = new ServersStore({ client: new MongoClient(url), database: 'sagasu' })
 */
export class ServersStore implements Store {
  readonly profile = 'servers' as const
  private readonly db: Db
  private readonly c: ServersCollections
  private readonly jobs: MongoJobQueue
  private readonly stageLeases: MongoStageLeases
  private readonly pixiv: MongoPixiv
  private readonly prompts: MongoPrompts
  private readonly batches: MongoBatches
  private initialised: Promise<void> | undefined

  constructor(private readonly options: ServersStoreOptions) {
    this.db = options.client.db(options.database)
    this.c = collectionsOf(this.db)
    this.jobs = new MongoJobQueue(this.c.jobs, this.c.jobClaims, this.c.counters)
    this.stageLeases = new MongoStageLeases(this.c.images, this.c.stageLeases)
    this.pixiv = new MongoPixiv(this.c, async (ids) => {
      await this.afterTextChange(ids)
      await this.refreshScalars(ids)
    })
    this.prompts = new MongoPrompts(this.c)
    this.batches = new MongoBatches(this.c)
  }

  /** Connects and creates the indexes, once; a failure is retried by the next call. */
  private ready(): Promise<void> {
    this.initialised ??= ensureIndexes(this.c).then(() => upgradeDocuments(this.c)).catch((error: unknown) => {
      this.initialised = undefined
      throw error
    })
    return this.initialised
  }

  async listFolders(): Promise<string[]> {
    await this.ready()
    const [images, errors] = await Promise.all([this.c.images.distinct('folder'), this.c.errors.distinct('folder')])
    return [...new Set([...images, ...errors])].sort(compareText)
  }

  async fileStates(folder: string): Promise<Map<string, FileState>> {
    await this.ready()
    const states = new Map<string, FileState>()
    for await (const doc of this.c.images.find({ folder }, { projection: { id: 1, path: 1, filesize: 1, mtime: 1, hash: 1, aiReread: 1 } })) {
      states.set(doc.path, { id: doc.id, path: doc.path, filesize: doc.filesize, mtime: doc.mtime, hash: doc.hash, ...(doc.aiReread ? { aiReread: true as const } : {}) })
    }
    return states
  }

  async getImage(id: number): Promise<ImageRecord | undefined> {
    await this.ready()
    return this.hydrate(await this.c.images.findOne({ _id: id }))
  }

  async getImages(ids: number[]): Promise<ImageRecord[]> {
    await this.ready()
    const found = new Map<number, ImageRecord>()
    for (let from = 0; from < ids.length; from += IDS_PER_READ) {
      const docs = await this.c.images.find({ _id: { $in: ids.slice(from, from + IDS_PER_READ) } }).toArray()
      for (const image of await this.hydrateAll(docs)) found.set(image.id, image)
    }
    return ids.flatMap((id) => found.get(id) ?? [])
  }

  async findByPath(folder: string, path: string): Promise<ImageRecord | undefined> {
    await this.ready()
    return this.hydrate(await this.c.images.findOne({ folder, path }))
  }

  async findByHash(hash: string): Promise<ImageRecord[]> {
    await this.ready()
    return this.hydrateAll(await this.c.images.find({ hash }, { sort: { id: 1 } }).toArray())
  }

  async saveImage(input: ImageInput): Promise<number> {
    return (await this.saveImages([input]))[0]!
  }

  async saveImages(inputs: ImageInput[]): Promise<number[]> {
    await this.ready()
    if (!inputs.length) return []
    // One write per path, the last input winning, as saving them in turn would leave it.
    const byPath = new Map(inputs.map((input) => [pathKey(input), input]))
    for (let attempt = 0; ; attempt++) {
      const batch = [...byPath.values()]
      const existing = await this.imagesAtPaths(batch)
      const fresh = batch.filter((input) => !existing.has(pathKey(input))).length
      let nextId = fresh ? await reserveIds(this.c.counters, 'images', fresh) : 0
      const now = Date.now()
      const ids = new Map<string, number>()
      const operations = batch.map((input): AnyBulkWriteOperation<StoredImageDocument> => {
        const before = existing.get(pathKey(input))
        const id = before?.id ?? nextId++
        ids.set(pathKey(input), id)
        const document = imageDocument(input, id, before, now)
        return before ? { replaceOne: { filter: { _id: id }, replacement: document } } : { insertOne: { document } }
      })
      try {
        await bulkWriteInChunks(this.c.images, operations, { ordered: false })
      } catch (error) {
        // Another process saved one of these paths meanwhile: save again, as updates of its records
        // (the ones this write did insert are then replaced by themselves).
        if (isDuplicateKey(error) && attempt < 3) continue
        throw error
      }
      const replaced = [...existing.values()]
      // New content: the model outputs of the old one no longer apply.
      await this.countTags(replaced.flatMap((doc) => doc.tagNames), -1)
      const embedded = replaced.filter((doc) => doc.embedded?.length).map((doc) => doc.id)
      if (embedded.length) await this.options.vectors?.remove(embedded)
      for (const input of batch) {
        if (input.type === 'pixiv' && input.illustid) await this.pixiv.reapply(ids.get(pathKey(input))!)
      }
      await this.afterTextChange([...ids.values()])
      return inputs.map((input) => ids.get(pathKey(input))!)
    }
  }

  async relocateImage(id: number, to: Relocation): Promise<void> {
    await this.relocateImages([{ id, to }])
  }

  async relocateImages(entries: Array<{ id: number; to: Relocation }>): Promise<void> {
    await this.ready()
    if (!entries.length) return
    const now = Date.now()
    const operations = entries.map(({ id, to }): AnyBulkWriteOperation<StoredImageDocument> => {
      const set: Partial<StoredImageDocument> = {
        folder: to.folder, path: to.path, filename: to.filename, ext: to.ext, filesize: to.filesize, mtime: to.mtime,
        type: to.type, tags1: unique(to.tags1 ?? []), updated: now,
      }
      const unset: Record<string, ''> = {}
      for (const key of ['illustid', 'page', 'userid', 'username', 'tweetid', 'postid', 'md5', 'date'] as const) {
        if (to[key] === undefined || to[key] === null) unset[key] = ''
        else Object.assign(set, { [key]: to[key] })
      }
      return { updateOne: { filter: { _id: id }, update: { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) } } }
    })
    await bulkWriteInChunks(this.c.images, operations, { ordered: true })
    const ids = entries.map((entry) => entry.id)
    // reapply reports the change (full text, vector scalars) when the image belongs to a fetched work.
    for (const id of ids) await this.pixiv.reapply(id)
    await this.afterTextChange(ids)
    await this.refreshScalars(ids)
  }

  async setAiParameters(entries: Array<{ id: number; ai?: AiParameters }>): Promise<void> {
    await this.ready()
    if (!entries.length) return
    const now = Date.now()
    await bulkWriteInChunks(this.c.images, entries.map(({ id, ai }): AnyBulkWriteOperation<StoredImageDocument> => {
      const update: UpdateFilter<StoredImageDocument> = ai
        ? { $set: { ai: storedAiParameters(ai), updated: now }, $unset: { aiReread: '' } }
        : { $set: { updated: now }, $unset: { ai: '', aiReread: '' } }
      return { updateOne: { filter: { _id: id }, update } }
    }), { ordered: true })
    const ids = [...new Set(entries.map((entry) => entry.id))]
    await this.afterTextChange(ids)
    await this.refreshScalars(ids)
  }

  async markAiReread(ids: number[]): Promise<void> {
    await this.ready()
    for (let from = 0; from < ids.length; from += IDS_PER_READ) await this.c.images.updateMany({ _id: { $in: ids.slice(from, from + IDS_PER_READ) } }, { $set: { aiReread: true } })
  }

  async touchImage(id: number, filesize: number, mtime: number): Promise<void> {
    await this.ready()
    await this.c.images.updateOne({ _id: id }, { $set: { filesize, mtime, updated: Date.now() } })
  }

  async removeImages(ids: number[]): Promise<string[]> {
    await this.ready()
    if (!ids.length) return []
    const docs = await this.c.images.find({ _id: { $in: ids } }, { projection: { hash: 1, tagNames: 1, embedded: 1 } }).toArray()
    if (!docs.length) return []
    await this.c.images.deleteMany({ _id: { $in: docs.map((doc) => doc._id) } })
    await this.countTags(docs.flatMap((doc) => doc.tagNames), -1)
    const withVectors = docs.filter((doc) => doc.embedded?.length).map((doc) => doc._id)
    if (withVectors.length) await this.options.vectors?.remove(withVectors)
    await this.options.fullText?.remove(docs.map((doc) => doc._id))
    const hashes = [...new Set(docs.map((doc) => doc.hash))]
    const used = new Set(await this.c.images.distinct('hash', { hash: { $in: hashes } }))
    return hashes.filter((hash) => !used.has(hash))
  }

  async setTags(id: number, tags: TagScore[]): Promise<void> {
    await this.setTagsMany([{ id, tags }])
  }

  async setTagsMany(entries: Array<{ id: number; tags: TagScore[] }>): Promise<void> {
    await this.ready()
    if (!entries.length) return
    // One score per name, the last given winning (as INSERT OR REPLACE does); the last list of an image wins.
    const lists = new Map(entries.map(({ id, tags }) => [id, [...new Map(tags.map((tag) => [tag.name, tag])).values()]]))
    const images = await this.c.images.find({ _id: { $in: [...lists.keys()] } }, { projection: { tagNames: 1 } }).toArray()
    if (!images.length) return
    const now = Date.now()
    await bulkWriteInChunks(this.c.images, images.map((image) => {
      const list = lists.get(image._id)!
      return {
        updateOne: {
          filter: { _id: image._id },
          update: {
            $set: {
              tagList: list.map((tag) => ({ n: tag.name, s: tag.score })),
              tagNames: list.map((tag) => tag.name),
              tagScores: tagScoresOf(Object.fromEntries(list.map((tag) => [tag.name, tag.score]))),
              updated: now,
            },
          },
        },
      }
    }), { ordered: false })
    // Counted list by list in the given order, as setting them in turn would (a name given and taken back stays known).
    const current = new Map(images.map((image) => [image._id, image.tagNames]))
    const changes = entries.flatMap(({ id, tags }) => {
      const before = current.get(id)
      if (!before) return []
      const after = [...new Map(tags.map((tag) => [tag.name, tag])).values()]
      current.set(id, after.map((tag) => tag.name))
      return [{ before, after }]
    })
    // Another worker may create the same new tag name at this moment (sagasu worker --stages tag on several machines).
    await bulkUpsertInChunks(this.c.tags, tagCountChanges(changes))
    await this.refreshScalars(images.map((image) => image._id))
  }

  async setOcrText(id: number, text: string): Promise<void> {
    await this.setOcrTexts([{ id, text }])
  }

  async setOcrTexts(entries: Array<{ id: number; text: string }>): Promise<void> {
    await this.ready()
    if (!entries.length) return
    const now = Date.now()
    await bulkWriteInChunks(this.c.images, entries.map(({ id, text }) => {
      const trimmed = text.trim()
      const update = trimmed
        ? { $set: { text: trimmed, textlen: [...trimmed].length, updated: now } }
        : { $set: { textlen: 0, updated: now }, $unset: { text: '' as const } }
      return { updateOne: { filter: { _id: id }, update } }
    }), { ordered: true })
    const ids = [...new Set(entries.map((entry) => entry.id))]
    await this.afterTextChange(ids)
    await this.refreshScalars(ids)
  }

  async pendingForStage(stage: string, version: string, limit: number, afterId = 0): Promise<StageWork[]> {
    await this.ready()
    const docs = await this.c.images.find({ id: { $gt: afterId }, [`stages.${stageKey(stage)}`]: { $ne: version } }, {
      projection: { id: 1, hash: 1, folder: 1, path: 1 }, sort: { id: 1 }, limit,
    }).toArray()
    return docs.map((doc) => ({ id: doc.id, hash: doc.hash, folder: doc.folder, path: doc.path }))
  }

  async markStageDone(ids: number[], stage: string, version: string): Promise<void> {
    await this.ready()
    if (!ids.length) return
    await this.c.images.updateMany({ _id: { $in: ids } }, { $set: { [`stages.${stageKey(stage)}`]: version } })
    // After the mark, never before: a worker that leases an image meanwhile sees it done and gives the lease back.
    await this.stageLeases.end(stage, ids)
  }

  async claimStageWork(stage: string, version: string, worker: string, limit: number, leaseMs: number, afterId = 0): Promise<StageWork[]> {
    await this.ready()
    return this.stageLeases.claim(stage, `stages.${stageKey(stage)}`, version, worker, limit, leaseMs, afterId)
  }

  async releaseStageWork(stage: string, worker: string, ids: number[]): Promise<void> {
    await this.ready()
    if (ids.length) await this.stageLeases.release(stage, worker, ids)
  }

  async releaseStageLeases(isWorkerAlive: (worker: string) => boolean): Promise<number> {
    await this.ready()
    return this.stageLeases.releaseDead(isWorkerAlive)
  }

  async stageCounts(stage: string, version: string): Promise<{ done: number; pending: number }> {
    await this.ready()
    const [done, all] = await Promise.all([this.c.images.countDocuments({ [`stages.${stageKey(stage)}`]: version }), this.c.images.countDocuments({})])
    return { done, pending: Math.max(0, all - done) }
  }

  async stageVersions(): Promise<Array<{ stage: string; version: string }>> {
    await this.ready()
    const pairs = new Map<string, { stage: string; version: string }>()
    for await (const doc of this.c.images.find({ stages: { $exists: true } }, { projection: { stages: 1 } })) {
      for (const [stage, version] of Object.entries(doc.stages ?? {})) pairs.set(`${stage}\u0000${version}`, { stage, version })
    }
    return [...pairs.values()].sort((a, b) => compareText(a.stage, b.stage) || compareText(a.version, b.version))
  }

  async recordError(error: ErrorInput): Promise<void> {
    await this.ready()
    const { filesize, mtime, ...record } = error
    // One failure per file, its last: a file that now fails at another stage no longer fails at the old one.
    if (error.level === 'error') await this.c.errors.deleteMany({ folder: error.folder, path: error.path, level: 'error', stage: { $ne: error.stage } })
    await this.c.errors.updateOne({ folder: error.folder, path: error.path, stage: error.stage }, {
      $set: { ...record, transient: Boolean(error.transient), at: Date.now(), ...(filesize === undefined ? {} : { filesize }), ...(mtime === undefined ? {} : { mtime }) },
      ...(filesize === undefined || mtime === undefined ? { $unset: { ...(filesize === undefined ? { filesize: '' as const } : {}), ...(mtime === undefined ? { mtime: '' as const } : {}) } } : {}),
    }, { upsert: true })
  }

  async clearError(folder: string, path: string, stage?: string): Promise<void> {
    await this.ready()
    await this.c.errors.deleteMany(stage === undefined ? { folder, path } : { folder, path, stage })
  }

  async clearErrors(folder: string, paths: string[]): Promise<void> {
    await this.ready()
    for (let from = 0; from < paths.length; from += IDS_PER_READ) await this.c.errors.deleteMany({ folder, path: { $in: paths.slice(from, from + IDS_PER_READ) } })
  }

  async listErrors(folder?: string, path?: string): Promise<ErrorRecord[]> {
    await this.ready()
    const filter = folder === undefined ? {} : path === undefined ? { folder } : { folder, path }
    const docs = await this.c.errors.find(filter, { sort: { at: 1, folder: 1, path: 1, stage: 1 } }).toArray()
    return docs.map((doc) => ({ folder: doc.folder, path: doc.path, stage: doc.stage, reason: doc.reason, level: doc.level, transient: doc.transient ?? false, at: doc.at }))
  }

  async failedFiles(folder: string): Promise<Map<string, FailedFileState>> {
    await this.ready()
    const docs = await this.c.errors.find({ folder, level: 'error', filesize: { $exists: true }, mtime: { $exists: true } }).toArray()
    return new Map(docs.map((doc) => [doc.path, { path: doc.path, filesize: doc.filesize!, mtime: doc.mtime!, transient: doc.transient ?? false }]))
  }

  async probeWrite(): Promise<void> {
    await this.ready()
    await writeHealthProbe(this.c.counters)
  }

  async enqueueJobs(jobs: JobInput[]): Promise<void> {
    await this.ready()
    await this.jobs.enqueue(jobs)
  }

  async claimJobs(kind: JobInput['kind'], limit: number, worker: string, leaseMs: number): Promise<Job[]> {
    await this.ready()
    return this.jobs.claim(kind, limit, worker, leaseMs)
  }

  async finishJob(id: number): Promise<void> {
    await this.ready()
    await this.jobs.finish(id)
  }

  async failJob(id: number, reason: string): Promise<void> {
    await this.ready()
    await this.jobs.fail(id, reason)
  }

  async releaseJobs(isWorkerAlive: (worker: string) => boolean): Promise<number> {
    await this.ready()
    return this.jobs.release(isWorkerAlive)
  }

  async countJobs(): Promise<Record<JobStatus, number>> {
    await this.ready()
    return this.jobs.counts()
  }

  async search(request: SearchRequest): Promise<StorePage> {
    await this.ready()
    const filter = await this.filterFor(request.query)
    const sort = compileMongoSort(request.sort)
    const where = request.after ? { $and: [filter, compileMongoKeyset(request.sort, request.after)] } : filter
    const [total, docs] = await Promise.all([
      this.c.images.countDocuments(filter),
      this.c.images.find(where, { sort, skip: request.offset ?? 0, limit: request.limit + 1 }).toArray(),
    ])
    const page = docs.slice(0, request.limit)
    const last = page.at(-1)
    const results = await this.hydrateAll(page)
    return { total, results, ...(docs.length > request.limit && last ? { next: cursorOf(last as unknown as Record<string, unknown>, request.sort) } : {}) }
  }

  async count(query: AndNode): Promise<number> {
    await this.ready()
    return this.c.images.countDocuments(await this.filterFor(query))
  }

  compile(query: AndNode, sort: SortKey[]): CompiledQuery {
    return { language: 'mongodb', text: { filter: compileMongoFilter(query), sort: compileMongoSort(sort) } }
  }

  async pixivPending(options: { limit?: number; retryFailed?: boolean }): Promise<PixivPendingWork[]> {
    await this.ready()
    return this.pixiv.pending(options)
  }

  async savePixivWork(illustid: string, outcome: PixivOutcome): Promise<void> {
    await this.ready()
    await this.pixiv.save(illustid, outcome)
  }

  async propagateUserNames(): Promise<number> {
    await this.ready()
    return this.pixiv.propagateUserNames()
  }

  async pixivCounts(): Promise<PixivCounts> {
    await this.ready()
    return this.pixiv.counts()
  }

  async suggestTags(prefix: string, limit: number): Promise<TagInfo[]> {
    await this.ready()
    const docs = await this.c.tags.find({ _id: { $gte: prefix, $lt: `${prefix}\u{10FFFF}` }, count: { $gt: 0 } }, { sort: { count: -1, _id: 1 }, limit }).toArray()
    return docs.map((doc) => ({ name: doc._id, category: doc.category, count: doc.count }))
  }

  async stats(): Promise<StoreStats> {
    await this.ready()
    const byType: Record<SourceType, number> = { pixiv: 0, twitter: 0, yandere: 0, danbooru: 0, other: 0 }
    const folders = new Map<string, number>()
    let images = 0
    let bytes = 0
    // FerretDB v1 sums no field in $group ($sum of a field gives 0), so the totals are added up here.
    for await (const doc of this.c.images.find({}, { projection: { folder: 1, type: 1, filesize: 1 } })) {
      images++
      bytes += doc.filesize
      byType[doc.type]++
      folders.set(doc.folder, (folders.get(doc.folder) ?? 0) + 1)
    }
    const [withAiParameters, errors, jobs] = await Promise.all([
      this.c.images.countDocuments({ ai: { $exists: true } }),
      this.c.errors.countDocuments({ level: 'error' }),
      this.jobs.counts(),
    ])
    return {
      images, bytes, byType, withAiParameters, errors, pendingJobs: jobs.pending + jobs.running,
      folders: [...folders].sort(([a], [b]) => compareText(a, b)).map(([name, n]) => ({ name, images: n })),
    }
  }

  async charts(top: number): Promise<LibraryCharts> {
    await this.ready()
    const topTags = (await this.c.tags.find({ count: { $gt: 0 } }, { sort: { count: -1, _id: 1 }, limit: top }).toArray())
      .map((doc) => ({ name: doc._id, category: doc.category, count: doc.count }))
    // Grouped here rather than with $group: FerretDB v1 lacks $max and sums no field (docs/servers-profile.md).
    const users = new Map<string, LibraryCharts['topUsers'][number]>()
    const months = new Map<string, number>()
    for await (const doc of this.c.images.find({}, { projection: { type: 1, userid: 1, username: 1, date: 1, mtime: 1 } })) {
      if (doc.userid !== undefined) {
        const key = `${doc.type}\u0000${doc.userid}`
        const user = users.get(key) ?? { type: doc.type, userid: doc.userid, username: null, images: 0 }
        user.images++
        if (doc.username !== undefined && (user.username === null || doc.username > user.username)) user.username = doc.username
        users.set(key, user)
      }
      const month = new Date(Math.floor((doc.date ?? doc.mtime) / 1000) * 1000).toISOString().slice(0, 7)
      months.set(month, (months.get(month) ?? 0) + 1)
    }
    const topUsers = [...users.values()].sort((a, b) => b.images - a.images || compareText(a.userid, b.userid)).slice(0, top)
    const byMonth = [...months].sort(([a], [b]) => compareText(a, b)).map(([month, images]) => ({ month, images }))
    return { topTags, topUsers, byMonth }
  }

  /** Indexes made, and Milvus connected with every collection loaded and warmed (issue 6: at start, not at the first search). */
  async warmUp(): Promise<void> {
    await Promise.all([this.ready(), this.options.vectors?.warmUp()])
  }

  async searchPrompts(request: PromptSearchRequest): Promise<PromptSearchPage> {
    await this.ready()
    return this.prompts.search(request)
  }

  async promptStats(): Promise<PromptStats> {
    await this.ready()
    return this.prompts.stats()
  }

  async datasetCounts(): Promise<DatasetCounts> {
    await this.ready()
    const byType: Record<SourceType, number> = { pixiv: 0, twitter: 0, yandere: 0, danbooru: 0, other: 0 }
    await Promise.all((Object.keys(byType) as SourceType[]).map(async (type) => { byType[type] = await this.c.images.countDocuments({ type }) }))
    const [images, tags, ratings] = await Promise.all([
      this.c.images.countDocuments({}),
      this.c.tags.countDocuments({ count: { $gt: 0 } }),
      this.c.tags.countDocuments({ count: { $gt: 0 }, _id: { $regex: '^rating:' } }),
    ])
    return { images, tags, ratings, byType }
  }

  async tagInfo(name: string): Promise<TagInfo | undefined> {
    await this.ready()
    const doc = await this.c.tags.findOne({ _id: name })
    return doc ? { name: doc._id, category: doc.category, count: doc.count } : undefined
  }

  async *matchingImageKeys(query: AndNode): AsyncIterable<ImageKey[]> {
    await this.ready()
    const filter = await this.filterFor(query)
    let after = 0
    for (;;) {
      const docs = await this.c.images.find({ $and: [filter, { id: { $gt: after } }] }, { projection: { id: 1, hash: 1 }, sort: { id: 1 }, limit: KEY_CHUNK }).toArray()
      if (docs.length) yield docs.map((doc) => ({ id: doc.id, hash: doc.hash }))
      if (docs.length < KEY_CHUNK) return
      after = docs.at(-1)!.id
      await nextTurn()
    }
  }

  async saveBatchSet(set: BatchSetRecord, members: Iterable<BatchMember>): Promise<void> {
    await this.ready()
    await this.batches.save(set, members)
  }

  async listBatchSets(): Promise<string[]> {
    await this.ready()
    return this.batches.list()
  }

  async getBatchSet(id: string): Promise<BatchSetRecord | undefined> {
    await this.ready()
    return this.batches.get(id)
  }

  async batchEntries(id: string, split: DatasetSplit, offset: number, limit: number): Promise<BatchEntry[]> {
    await this.ready()
    const members = await this.batches.members(id, split, offset, limit)
    const ids = [...new Set(members.flatMap((member) => (member.currentId === null ? [] : [member.currentId])))]
    const images = new Map((await this.getImages(ids)).map((image) => [image.id, image]))
    return members.map(({ position, member, currentId }) => {
      const image = currentId === null ? undefined : images.get(currentId)
      return image ? { position, member, image } : { position, member }
    })
  }

  async deleteBatchSet(id: string): Promise<boolean> {
    await this.ready()
    return this.batches.remove(id)
  }

  async saveEmbedding(imageId: number, model: string, vector: Float32Array): Promise<void> {
    await this.saveEmbeddings(model, [{ id: imageId, vector }])
  }

  async saveEmbeddings(model: string, entries: Array<{ id: number; vector: Float32Array }>): Promise<void> {
    await this.ready()
    checkModel(model)
    if (!entries.length) return
    const vectors = this.requireVectors()
    const known = await this.c.vectorModels.findOne({ _id: model })
    const dims = known?.dims ?? entries[0]!.vector.length
    for (const { vector } of entries) checkVector(vector, dims, model)
    const latest = new Map(entries.map(({ id, vector }) => [id, vector]))
    // Images removed meanwhile are skipped.
    const images = await this.c.images.find({ _id: { $in: [...latest.keys()] } }).toArray()
    if (!images.length) return
    if (!known) {
      // Two workers embedding a model's first images at once both upsert it; on FerretDB the loser fails with E11000.
      await this.c.vectorModels.updateOne({ _id: model }, { $setOnInsert: { dims } }, { upsert: true }).catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error
      })
    }
    await vectors.ensureModel(model, dims)
    await vectors.upsert(model, images.map((image) => ({ id: image.id, vector: latest.get(image.id)!, scalars: this.scalarsOf(image) })))
    await this.c.images.updateMany({ _id: { $in: images.map((image) => image.id) } }, { $addToSet: { embedded: model } })
  }

  async getEmbedding(imageId: number, model: string): Promise<Float32Array | undefined> {
    await this.ready()
    if (!this.options.vectors) return undefined
    const image = await this.c.images.findOne({ _id: imageId, embedded: model }, { projection: { _id: 1 } })
    return image ? this.options.vectors.get(model, imageId) : undefined
  }

  async imagesWithoutEmbedding(model: string, limit: number): Promise<number[]> {
    await this.ready()
    checkModel(model)
    if (!Number.isInteger(limit) || limit < 0) throw new VectorInputError(`limit must be a non-negative integer, got ${limit}`)
    if (limit === 0) return []
    const docs = await this.c.images.find({ embedded: { $ne: model } }, { projection: { id: 1 }, sort: { id: 1 }, limit }).toArray()
    return docs.map((doc) => doc.id)
  }

  async nearest(request: NearestRequest): Promise<Array<{ id: number; score: number }>> {
    await this.ready()
    const { model, vector, k, minScore } = request
    checkModel(model)
    if (!Number.isInteger(k) || k < 1 || k > MAX_NEAREST_K) throw new VectorInputError(`k must be an integer from 1 to ${MAX_NEAREST_K}, got ${k}`)
    if (minScore !== undefined && !Number.isFinite(minScore)) throw new VectorInputError(`minScore must be a finite number, got ${minScore}`)
    const known = await this.c.vectorModels.findOne({ _id: model })
    if (!known || !this.options.vectors) return []
    checkVector(vector, known.dims, model)
    const vectors = this.options.vectors
    return nearestMatching({ model, vector, k, ...(minScore === undefined ? {} : { minScore }) }, request.query, {
      ...(this.options.vectorFilterFor ? { filterFor: this.options.vectorFilterFor } : {}),
      count: (query) => this.count(query),
      ids: async (query) => (await this.c.images.find(await this.filterFor(query), { projection: { id: 1 } }).toArray()).map((doc) => doc.id),
      confirm: async (query, ids) => new Set((await this.c.images.find({ $and: [await this.filterFor(query), { _id: { $in: ids } }] }, { projection: { id: 1 } }).toArray()).map((doc) => doc.id)),
      search: (search) => vectors.search(search),
      vectors: () => this.c.images.countDocuments({ embedded: model }),
    })
  }

  async rebuildVectorIndex(options: { model?: string; onProgress?: (model: string, done: number, total: number) => void } = {}): Promise<VectorIndexStats[]> {
    await this.ready()
    return this.requireVectors().rebuild(options.model)
  }

  async vectorIndexStats(): Promise<VectorIndexStats[]> {
    await this.ready()
    // No model has vectors yet: nothing to ask Milvus (which a fresh or text-only index may not run).
    if (!this.options.vectors || (await this.c.vectorModels.countDocuments({})) === 0) return []
    return this.options.vectors.stats()
  }

  async close(): Promise<void> {
    await Promise.all([this.options.vectors?.close(), this.options.fullText?.close()])
    await this.options.client.close()
  }

  /**
   * The MongoDB filter of a query. With a full-text backend, each top-level text clause first asks
   * it for candidates, and their ids narrow the filter (the regex still confirms every match).
   */
  private async filterFor(query: AndNode): Promise<MongoFilter> {
    const filter = compileMongoFilter(query, { tagNamesMatching: await this.tagPatternNames(query) })
    const fullText = this.options.fullText
    if (!fullText) return filter
    const textClauses = query.children.filter((child): child is TextNode => child.type === 'text' && child.terms.length > 0)
    if (!textClauses.length) return filter
    let candidates: Set<number> | undefined
    for (const clause of textClauses) {
      for (const term of clause.terms) {
        const ids = new Set((await fullText.candidates(clause.target, term)).map((hit) => hit.id))
        candidates = candidates ? new Set([...candidates].filter((id) => ids.has(id))) : ids
      }
    }
    return { $and: [{ _id: { $in: [...candidates!] } }, filter] }
  }

  /** The tag names each pattern clause with score comparisons matches (the SQL store resolves them the same way). */
  private async tagPatternNames(query: AndNode): Promise<(pattern: string) => string[]> {
    const patterns = new Set<string>()
    const walk = (node: QueryNode): void => {
      if (node.type === 'and' || node.type === 'or') node.children.forEach(walk)
      else if (node.type === 'not') walk(node.child)
      else if (node.type === 'tag' && node.pattern && node.comparisons.length) patterns.add(node.name)
    }
    walk(query)
    const names = new Map<string, string[]>()
    for (const pattern of patterns) {
      const docs = await this.c.tags.find({ _id: { $regex: tagPattern(pattern) } }, { projection: { _id: 1 } }).toArray()
      names.set(pattern, docs.map((doc) => doc._id))
    }
    return (pattern) => names.get(pattern) ?? []
  }

  private async hydrate(doc: StoredImageDocument | null): Promise<ImageRecord | undefined> {
    if (!doc) return undefined
    return (await this.hydrateAll([doc]))[0]
  }

  /** Records with their pixiv works, in the order given. */
  private async hydrateAll(docs: StoredImageDocument[]): Promise<ImageRecord[]> {
    const illustids = [...new Set(docs.flatMap((doc) => (doc.type === 'pixiv' && doc.illustid !== undefined ? [doc.illustid] : [])))]
    const works = new Map<string, NonNullable<Awaited<ReturnType<MongoPixiv['work']>>>>()
    for (const illustid of illustids) {
      const work = await this.pixiv.work(illustid)
      if (work) works.set(illustid, work)
    }
    return docs.map((doc) => fromStoredImage(doc, doc.type === 'pixiv' && doc.illustid !== undefined ? works.get(doc.illustid) : undefined))
  }

  /** Adds `delta` to the image count of each name (a name listed twice counts twice). */
  /** The stored images at these inputs' folder + path, by pathKey. */
  private async imagesAtPaths(inputs: ImageInput[]): Promise<Map<string, StoredImageDocument>> {
    const byFolder = new Map<string, string[]>()
    for (const input of inputs) byFolder.set(input.folder, [...(byFolder.get(input.folder) ?? []), input.path])
    const found = new Map<string, StoredImageDocument>()
    for (const [folder, paths] of byFolder) {
      for (const doc of await this.c.images.find({ folder, path: { $in: paths } }).toArray()) found.set(pathKey(doc), doc)
    }
    return found
  }

  private async countTags(names: string[], delta: number): Promise<void> {
    if (!names.length) return
    const counts = new Map<string, number>()
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + delta)
    await bulkWriteInChunks(this.c.tags, [...counts].map(([name, n]) => ({ updateOne: { filter: { _id: name }, update: { $inc: { count: n } } } })), { ordered: false })
  }

  /** The full-text backend follows the images' OCR text, prompts and tags1. */
  private async afterTextChange(ids: number[]): Promise<void> {
    const fullText = this.options.fullText
    if (!fullText || !ids.length) return
    const docs = await this.c.images.find({ _id: { $in: ids } }, { projection: { id: 1, text: 1, ai: 1, tags1: 1 } }).toArray()
    const documents: FullTextDocument[] = docs.map((doc) => ({
      id: doc.id,
      tags1: doc.tags1,
      ...(doc.text === undefined ? {} : { ocr: doc.text }),
      ...(doc.ai ? { prompt: doc.ai.prompt } : {}),
      ...(doc.ai?.negativePrompt === undefined ? {} : { negative: doc.ai.negativePrompt }),
    }))
    if (documents.length) await fullText.upsert(documents)
  }

  /** The vector index's scalar copies of image fields follow the images. */
  private async refreshScalars(ids: number[]): Promise<void> {
    const vectors = this.options.vectors
    if (!vectors || !this.options.vectorScalarsFor) return
    const docs = await this.c.images.find({ _id: { $in: ids }, 'embedded.0': { $exists: true } }).toArray()
    for (const doc of docs) await vectors.refreshScalars(doc.id, this.scalarsOf(doc))
  }

  private scalarsOf(doc: StoredImageDocument): VectorScalars {
    return this.options.vectorScalarsFor ? this.options.vectorScalarsFor(fromStoredImage(doc)) : {}
  }

  private requireVectors(): ServerVectorIndex {
    if (!this.options.vectors) throw new Error('the servers profile has no vector index configured (store.servers.milvus)')
    return this.options.vectors
  }
}

/** A model name as embeddings are stored under. */
function checkModel(model: string): void {
  if (typeof model !== 'string' || !model.trim() || model.length > 200) throw new VectorInputError('the model must be a non-empty name of at most 200 characters')
}

function stageKey(stage: string): string {
  if (!STAGE_NAME.test(stage)) throw new Error(`a stage name is letters, digits, "-" and "_", got ${JSON.stringify(stage)}`)
  return stage
}

function pathKey(image: { folder: string; path: string }): string {
  return `${image.folder}\u0000${image.path}`
}

/** The document saveImage writes: a new record, or the new content of an existing one (keeping its id and added time). */
function imageDocument(input: ImageInput, id: number, before: StoredImageDocument | undefined, now: number): StoredImageDocument {
  const record: ImageRecord = { ...input, id, textlen: 0, addedAt: before?.added ?? now, updatedAt: now }
  if (input.tags1) record.tags1 = unique(input.tags1)
  const document = toStoredImage(record)
  // pixiv's metadata stays until reapplied (as the embedded store's UPDATE leaves it).
  if (before) {
    for (const key of ['title', 'views', 'likes', 'bookmarks', 'comments'] as const) {
      if (before[key] !== undefined) Object.assign(document, { [key]: before[key] })
    }
  }
  return document
}

/**
 * The tag-count changes of replacing tag lists: +1 for a name an image gains (setting its category,
 * the last given winning), -1 for one it loses.
 */
function tagCountChanges(changes: Array<{ before: string[]; after: TagScore[] }>): AnyBulkWriteOperation<TagNameDocument>[] {
  const deltas = new Map<string, { n: number; category?: TagCategory }>()
  const delta = (name: string) => deltas.get(name) ?? deltas.set(name, { n: 0 }).get(name)!
  for (const { before, after } of changes) {
    const had = new Set(before)
    const has = new Set(after.map((tag) => tag.name))
    for (const tag of after) {
      const entry = delta(tag.name)
      entry.category = tag.category
      if (!had.has(tag.name)) entry.n++
    }
    for (const name of before) if (!has.has(name)) delta(name).n--
  }
  return [...deltas].map(([name, { n, category }]) => category === undefined
    ? { updateOne: { filter: { _id: name }, update: { $inc: { count: n } } } }
    : { updateOne: { filter: { _id: name }, update: { $set: { category }, $inc: { count: n } }, upsert: true } })
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}

