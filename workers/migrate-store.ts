import type { DatasetSplit } from '../shared/types/dataset'
import type { ImageInput, ImageRecord, PixivWork, TagCategory, TagScore } from '../shared/types/image'
import type { AndNode } from '../server/query/ast'
import type { BatchMember, Store } from '../server/store/store'

const EVERY_IMAGE: AndNode = { type: 'and', children: [], span: { start: 0, end: 0 } }
const SPLITS: DatasetSplit[] = ['train', 'validation', 'test']
/** Members read per batchEntries call. */
const MEMBER_PAGE = 5_000
/** Images (and embeddings) written per call: one bulk write each on the servers profile. */
const WRITE_BATCH = 500

export interface MigrationCounts {
  images: number
  tags: number
  ocr: number
  stages: number
  embeddings: number
  errors: number
  pixivWorks: number
  batchSets: number
}

export interface MigrateOptions {
  onProgress?: (what: string, done: number, total: number) => void
  signal?: AbortSignal
}

/**
 * Copies an index from one store to another without recomputing any model output: every image
 * with its tags, OCR text, AI parameters and tags1, the model stages marked done, the embeddings,
 * error records, pixiv metadata and dataset batch sets. The target assigns its own image ids; batch
 * members are rewritten to them (their content hash stays). Jobs are not copied (the next import
 * queues what is left), nor pixiv works that have no metadata (they are asked again).
 *
 * @example
 * const counts = await migrateStore(embedded, servers)
 */
export async function migrateStore(source: Store, target: Store, options: MigrateOptions = {}): Promise<MigrationCounts> {
  const counts: MigrationCounts = { images: 0, tags: 0, ocr: 0, stages: 0, embeddings: 0, errors: 0, pixivWorks: 0, batchSets: 0 }
  const total = await source.count(EVERY_IMAGE)
  const newIds = new Map<number, number>()
  const categories = new Map<string, TagCategory>()
  const works = new Map<string, PixivWork>()

  for await (const chunk of source.matchingImageKeys(EVERY_IMAGE)) {
    for (let from = 0; from < chunk.length; from += WRITE_BATCH) {
      if (options.signal?.aborted) return counts
      const images = await source.getImages(chunk.slice(from, from + WRITE_BATCH).map((key) => key.id))
      const ids = await target.saveImages(images.map(inputOf))
      const tags: Array<{ id: number; tags: TagScore[] }> = []
      const texts: Array<{ id: number; text: string }> = []
      for (const [n, image] of images.entries()) {
        newIds.set(image.id, ids[n]!)
        if (image.tags && Object.keys(image.tags).length) tags.push({ id: ids[n]!, tags: await tagScores(source, image.tags, categories) })
        if (image.text !== undefined) texts.push({ id: ids[n]!, text: image.text })
        if (image.pixiv) works.set(image.pixiv.illustid, image.pixiv)
      }
      await target.setTagsMany(tags)
      await target.setOcrTexts(texts)
      counts.tags += tags.length
      counts.ocr += texts.length
      counts.images += images.length
      options.onProgress?.('images', counts.images, total)
    }
  }

  // Images still to have their AI metadata read again (the readers changed) stay so.
  for (const folder of await source.listFolders()) {
    const marked = [...(await source.fileStates(folder)).values()].flatMap((state) => (state.aiReread && newIds.has(state.id) ? [newIds.get(state.id)!] : []))
    await target.markAiReread(marked)
  }

  for (const work of works.values()) {
    const { fetchedAt: _fetchedAt, ...metadata } = work
    await target.savePixivWork(work.illustid, { status: 'ok', work: metadata, requests: 0 })
    counts.pixivWorks++
  }

  for (const { stage, version } of await source.stageVersions()) {
    const pending = new Set<number>()
    let after = 0
    for (;;) {
      const work = await source.pendingForStage(stage, version, 10_000, after)
      for (const item of work) pending.add(item.id)
      if (work.length < 10_000) break
      after = work.at(-1)!.id
    }
    const done = [...newIds].filter(([oldId]) => !pending.has(oldId)).map(([, newId]) => newId)
    for (let from = 0; from < done.length; from += 10_000) await target.markStageDone(done.slice(from, from + 10_000), stage, version)
    counts.stages += done.length
  }

  for (const { model } of await source.vectorIndexStats()) {
    let batch: Array<{ id: number; vector: Float32Array }> = []
    for (const [oldId, newId] of newIds) {
      const vector = await source.getEmbedding(oldId, model)
      if (vector) batch.push({ id: newId, vector })
      if (batch.length < WRITE_BATCH) continue
      await target.saveEmbeddings(model, batch)
      counts.embeddings += batch.length
      batch = []
    }
    await target.saveEmbeddings(model, batch)
    counts.embeddings += batch.length
  }

  for (const folder of await source.listFolders()) {
    const failed = await source.failedFiles(folder)
    for (const error of await source.listErrors(folder)) {
      const state = failed.get(error.path)
      const { at: _at, ...record } = error
      await target.recordError({ ...record, ...(state && record.level === 'error' ? { filesize: state.filesize, mtime: state.mtime } : {}) })
      counts.errors++
    }
  }

  for (const id of await source.listBatchSets()) {
    const set = await source.getBatchSet(id)
    if (!set) continue
    const members: BatchMember[] = []
    for (const split of SPLITS) {
      for (let offset = 0; offset < set.images[split]; offset += MEMBER_PAGE) {
        for (const entry of await source.batchEntries(id, split, offset, MEMBER_PAGE)) {
          members.push({ split, position: entry.position, id: newIds.get(entry.member.id) ?? entry.member.id, hash: entry.member.hash })
        }
      }
    }
    await target.saveBatchSet(set, members)
    counts.batchSets++
  }
  return counts
}

/** What the pipeline computed for a file, as saveImage takes it. */
function inputOf(image: ImageRecord): ImageInput {
  const { id: _id, addedAt: _added, updatedAt: _updated, textlen: _textlen, text: _text, tags: _tags, pixiv: _pixiv, ...input } = image
  return input
}

async function tagScores(source: Store, tags: Record<string, number>, categories: Map<string, TagCategory>): Promise<TagScore[]> {
  const scores: TagScore[] = []
  for (const [name, score] of Object.entries(tags)) {
    let category = categories.get(name)
    if (!category) {
      category = (await source.tagInfo(name))?.category ?? 'general'
      categories.set(name, category)
    }
    scores.push({ name, category, score })
  }
  return scores
}
