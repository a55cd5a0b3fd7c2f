/**
 * `sagasu migrate`: an embedded index copied to the servers profile (FerretDB) and back gives the
 * same library — records, tags, OCR, stage marks, errors, pixiv metadata, batch sets, search
 * results — without recomputing anything; embeddings are copied exactly (store to store).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImageRecord } from '../shared/types/image'
import { parseSearch } from '../server/search/search-images'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import type { Store } from '../server/store/store'
import { migrateStore } from '../workers/migrate-store'
import { generateLibrary, pixivOutcomes } from './conformance/library'
import { runCli } from './helpers/cli'
import { startFerretDb, type FerretDbServer } from './helpers/ferretdb'
import { tempDir, writeConfig } from './helpers/library'

const IMAGES = 48

/** A record without what the target store assigns (id, clock times). */
function comparable(image: ImageRecord | undefined): unknown {
  if (!image) return image
  const { id: _id, addedAt: _added, updatedAt: _updated, ...rest } = image
  return rest.pixiv ? { ...rest, pixiv: { ...rest.pixiv, fetchedAt: 0 } } : rest
}

async function fillLibrary(store: Store): Promise<void> {
  for (const { input, tags, ocr } of generateLibrary(IMAGES, 7)) {
    const id = await store.saveImage(input)
    if (tags.length) await store.setTags(id, tags)
    if (ocr !== undefined) await store.setOcrText(id, ocr)
  }
  await store.markStageDone([1, 2, 3, 4, 5], 'tagger', 'wd-v3')
  await store.markStageDone([2, 3], 'ocr', 'jpn+eng')
  await store.recordError({ folder: 'main', path: 'broken.png', stage: 'decode', reason: 'truncated', level: 'error', filesize: 3, mtime: 4 })
  await store.recordError({ folder: 'main', path: 'broken.png', stage: 'ai-metadata', reason: 'comfyui prompt: node 4 cannot be followed', level: 'warning' })
  await store.markAiReread([2, 5])
  for (const [illustid, outcome] of pixivOutcomes((await store.pixivPending({})).map((work) => work.illustid))) await store.savePixivWork(illustid, outcome)
  await store.saveBatchSet(
    { id: 'set-1', createdAt: 5, batchSize: 2, validationSplit: 0.5, testSplit: 0, seed: 3, query: '', images: { train: 2, validation: 1, test: 0 } },
    [{ id: 1, hash: (await store.getImage(1))!.hash, split: 'train', position: 0 }, { id: 7, hash: (await store.getImage(7))!.hash, split: 'train', position: 1 },
      { id: 9, hash: (await store.getImage(9))!.hash, split: 'validation', position: 0 }],
  )
}

async function byPath(store: Store): Promise<Map<string, unknown>> {
  const images = new Map<string, unknown>()
  for await (const chunk of store.matchingImageKeys(parseSearch('').query)) {
    for (const { id } of chunk) {
      const image = await store.getImage(id)
      images.set(`${image!.folder}/${image!.path}`, comparable(image))
    }
  }
  return images
}

async function summary(store: Store): Promise<unknown> {
  const paths = async (text: string) => (await store.search({ ...parseSearch(text, 'filesize;1, path;1'), limit: 100 })).results.map((image) => image.path)
  return {
    stats: { ...(await store.stats()), pendingJobs: 0 },
    tagger: await store.stageCounts('tagger', 'wd-v3'),
    ocr: await store.stageCounts('ocr', 'jpn+eng'),
    pixiv: (await store.pixivCounts()).ok,
    errors: (await store.listErrors()).map(({ at: _at, ...error }) => error).sort((a, b) => a.path.localeCompare(b.path) || a.stage.localeCompare(b.stage)),
    failed: [...(await store.failedFiles('main'))],
    reread: (await Promise.all((await store.listFolders()).map(async (folder) => [...(await store.fileStates(folder))].filter(([, state]) => state.aiReread).map(([path]) => `${folder}/${path}`)))).flat().sort(),
    sets: await store.listBatchSets(),
    set: await store.getBatchSet('set-1'),
    entries: (await store.batchEntries('set-1', 'train', 0, 10)).map((entry) => entry.image?.path),
    searches: [await paths('tags.long_hair;>=0.9'), await paths('m;ありがとう'), await paths('bookmarks;>100'), await paths('prompt;masterpiece')],
    suggest: await store.suggestTags('', 10),
  }
}

describe('sagasu migrate', () => {
  let ferret: FerretDbServer

  beforeAll(async () => {
    ferret = await startFerretDb()
  }, 60_000)
  afterAll(() => ferret?.stop())

  it('copies an embedded index to the servers profile and back without losing anything', async () => {
    const dir = tempDir()
    const servers = { mongodb: { url: ferret.url, database: 'migrated', timeoutSeconds: 2 } }
    const original = openSqliteStore(dir)
    await fillLibrary(original)
    const before = { images: await byPath(original), summary: await summary(original) }
    await original.close()

    const toServers = await runCli(['--config', writeConfig(dir, { dataDir: dir, store: { profile: 'embedded', servers } }), 'migrate', '--to', 'servers', '--json'])
    expect(toServers.stderr).not.toContain('sagasu:')
    expect(toServers.code).toBe(0)
    expect(JSON.parse(toServers.stdout)).toMatchObject({ images: IMAGES, stages: 7, errors: 2, batchSets: 1 })

    const again = await runCli(['--config', writeConfig(dir, { dataDir: dir, store: { profile: 'embedded', servers } }), 'migrate', '--to', 'servers'])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain(`the servers store already holds ${IMAGES} images`)

    const back = tempDir()
    const toEmbedded = await runCli(['--config', writeConfig(back, { dataDir: back, store: { profile: 'servers', servers } }), 'migrate', '--to', 'embedded'])
    expect(toEmbedded.code, toEmbedded.stderr).toBe(0)
    const copy = openSqliteStore(back)
    expect(await byPath(copy)).toEqual(before.images)
    expect(await summary(copy)).toEqual(before.summary)
    await copy.close()
  }, 180_000)

  it('copies embeddings exactly', async () => {
    const [source, target] = [openSqliteStore(tempDir()), openSqliteStore(tempDir())]
    for (const { input } of generateLibrary(6, 9)) await source.saveImage(input)
    const vector = (n: number) => Float32Array.from([Math.cos(n), Math.sin(n), 0])
    for (let id = 1; id <= 6; id += 2) await source.saveEmbedding(id, 'clip-test', vector(id))
    const counts = await migrateStore(source, target)
    expect(counts.embeddings).toBe(3)
    for (let id = 1; id <= 6; id++) expect(await target.getEmbedding(id, 'clip-test')).toEqual(id % 2 ? vector(id) : undefined)
    await source.close()
    await target.close()
  })
})
