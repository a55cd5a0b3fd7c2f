/**
 * The store conformance suite: the same operations on the embedded store (SQLite) and the servers
 * store (MongoDB wire protocol, on a real FerretDB server), and the same answers from both — images,
 * tags, OCR, stages, errors, jobs, pixiv, dataset batches, every example of docs/query-language.md,
 * and paging with cursors under every sort. Timestamps the stores take from the clock are left out
 * of the comparison; everything else must be identical.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema } from '../../config/schema'
import { parseSearch } from '../../server/search/search-images'
import { reparseSources } from '../../workers/reparse'
import { openSqliteStore } from '../../server/store/embedded/sqlite-store'
import type { SortCursor, Store } from '../../server/store/store'
import { startFerretDb, type FerretDbServer } from '../helpers/ferretdb'
import { tempDir } from '../helpers/library'
import { queryLanguageExamples } from '../helpers/query-doc-examples'
import { openTempServersStore } from '../helpers/servers-store'
import { DUPLICATE_HASH, generateLibrary, pixivOutcomes } from './library'

const NOW = Date.UTC(2024, 0, 31, 12, 0, 0)
const IMAGE_COUNT = 160
/** Images per batch write when loading the second half of the library. */
const BATCH = 25

type Profiles = { embedded: Store; servers: Store }

/** Clock-given fields out, so that what is compared is what both stores decide. */
function stable<T>(value: T): T {
  if (value === undefined) return value
  return JSON.parse(JSON.stringify(value, (key, field: unknown) => (['addedAt', 'updatedAt', 'at', 'fetchedAt'].includes(key) ? undefined : field))) as T
}

/** Runs an operation on both stores and expects the same answer. */
async function same<T>(stores: Profiles, run: (store: Store) => Promise<T>, what: string): Promise<T> {
  const [embedded, servers] = [await run(stores.embedded), await run(stores.servers)]
  expect(stable(servers), what).toEqual(stable(embedded))
  return embedded
}

async function both(stores: Profiles, run: (store: Store) => Promise<unknown>): Promise<void> {
  await run(stores.embedded)
  await run(stores.servers)
}

describe('store conformance: embedded and servers (FerretDB) give identical results', () => {
  let ferret: FerretDbServer
  const stores = {} as Profiles
  const library = generateLibrary(IMAGE_COUNT)

  beforeAll(async () => {
    ferret = await startFerretDb()
    stores.embedded = openSqliteStore(tempDir())
    stores.servers = openTempServersStore(ferret.url).store
    // The first half one at a time, the rest in batches: both ways must give the same library.
    const half = IMAGE_COUNT / 2
    for (const { input, tags, ocr } of library.slice(0, half)) {
      await both(stores, async (store) => {
        const id = await store.saveImage(input)
        if (tags.length) await store.setTags(id, tags)
        if (ocr !== undefined) await store.setOcrText(id, ocr)
      })
    }
    for (let from = half; from < IMAGE_COUNT; from += BATCH) {
      const batch = library.slice(from, from + BATCH)
      await both(stores, async (store) => {
        const ids = await store.saveImages(batch.map((image) => image.input))
        await store.setTagsMany(batch.flatMap((image, n) => (image.tags.length ? [{ id: ids[n]!, tags: image.tags }] : [])))
        await store.setOcrTexts(batch.flatMap((image, n) => (image.ocr === undefined ? [] : [{ id: ids[n]!, text: image.ocr }])))
      })
    }
  }, 180_000)

  afterAll(async () => {
    await stores.embedded?.close()
    await stores.servers?.close()
    await ferret?.stop()
  })

  it('stores the same image records under the same ids', async () => {
    for (let id = 1; id <= IMAGE_COUNT; id += 7) await same(stores, (store) => store.getImage(id), `image ${id}`)
    const some = await same(stores, (store) => store.getImages([30, 2, 999_999, 2, 77]), 'getImages')
    expect(some.map((image) => image.id)).toEqual([30, 2, 2, 77])
    await same(stores, (store) => store.findByPath('main', library[1]!.input.path), 'findByPath')
    await same(stores, (store) => store.findByHash(DUPLICATE_HASH), 'findByHash')
    await same(stores, (store) => store.listFolders(), 'listFolders')
    await same(stores, async (store) => [...(await store.fileStates('second'))].sort(([a], [b]) => a.localeCompare(b)), 'fileStates')
    await same(stores, (store) => store.stats(), 'stats')
    await same(stores, (store) => store.charts(10), 'charts')
    await same(stores, (store) => store.datasetCounts(), 'datasetCounts')
    await same(stores, (store) => store.promptStats(), 'promptStats')
  })

  it('suggests and counts tags the same', async () => {
    for (const prefix of ['', 'l', 'rating:', 'c.', '猫', 'zzz']) await same(stores, (store) => store.suggestTags(prefix, 5), `suggest ${prefix}`)
    for (const name of ['long_hair', 'a,b', 'missing']) await same(stores, (store) => store.tagInfo(name), `tagInfo ${name}`)
  })

  it('answers every query example of docs/query-language.md the same, under several sorts', async () => {
    const examples = queryLanguageExamples().filter((example) => example.language === 'query' && !example.error)
    // Every example under the default sort and two others; the sorts of missing values and mixed
    // directions on a share of them (FerretDB answers a query in ~50 ms on two cores).
    const allSorts = ['', 'filesize;1', 'date;-1, id;1']
    const moreSorts = ['bookmarks;-1', 'cfg;1', 'username;1', 'animated;-1, width;1']
    expect(examples.length).toBeGreaterThan(100)
    let matched = 0
    let runs = 0
    for (const [n, example] of examples.entries()) {
      for (const sortText of n % 4 === 0 ? [...allSorts, ...moreSorts] : allSorts) {
        runs++
        const { query, sort } = parseSearch(example.text, sortText, NOW)
        const page = await same(stores, async (store) => {
          const result = await store.search({ query, sort, limit: 25 })
          return { total: result.total, ids: result.results.map((image) => image.id) }
        }, `${example.text} sorted by "${sortText}" (docs line ${example.line})`)
        if (page.total > 0) matched++
      }
      if (n % 4 === 1) await same(stores, (store) => store.count(parseSearch(example.text, '', NOW).query), `count ${example.text}`)
    }
    // The library is built so that most examples match something (a suite of empty results proves little).
    expect(matched).toBeGreaterThan(runs * 0.4)
  }, 480_000)

  it('pages with cursors and offsets the same under every sort', async () => {
    const sorts = ['', 'id;1', 'filesize;1', 'date;1', 'date;-1, id;1', 'userid;1, width;-1', 'seed;-1', 'title;1', 'textlen;-1', 'type;1, date', 'views;-1']
    for (const [n, sortText] of sorts.entries()) {
      for (const queryText of ['', n % 2 ? 'tags.long_hair' : '!animated, width;>150']) {
        const { query, sort } = parseSearch(queryText, sortText, NOW)
        await same(stores, async (store) => {
          const ids: number[] = []
          let after: SortCursor | undefined
          for (let pages = 0; pages < 100; pages++) {
            const page = await store.search({ query, sort, limit: 13, ...(after ? { after } : {}) })
            ids.push(...page.results.map((image) => image.id))
            if (!page.next) break
            after = page.next
          }
          const offsetPage = await store.search({ query, sort, limit: 9, offset: 20 })
          return { ids, offset: offsetPage.results.map((image) => image.id) }
        }, `paging "${queryText}" by "${sortText}"`)
      }
    }
  }, 300_000)

  it('runs model stages the same', async () => {
    await same(stores, (store) => store.pendingForStage('tagger', 'v1', 10), 'pending before')
    await both(stores, (store) => store.markStageDone([1, 2, 3, 5, 8, 9999], 'tagger', 'v1'))
    await same(stores, (store) => store.pendingForStage('tagger', 'v1', 10, 2), 'pending after')
    await same(stores, (store) => store.stageCounts('tagger', 'v1'), 'stage counts')
    await both(stores, (store) => store.markStageDone([1], 'tagger', 'v2'))
    await same(stores, (store) => store.stageCounts('tagger', 'v1'), 'a new version replaces the old')
  })

  it('records and clears errors the same', async () => {
    await both(stores, async (store) => {
      await store.recordError({ folder: 'main', path: 'bad.png', stage: 'decode', reason: 'truncated', level: 'error', filesize: 10, mtime: 20 })
      await store.recordError({ folder: 'main', path: 'odd.png', stage: 'metadata', reason: 'odd chunk', level: 'warning' })
      await store.recordError({ folder: 'errors-only', path: 'x.png', stage: 'decode', reason: 'empty', level: 'error' })
      await store.recordError({ folder: 'main', path: 'bad.png', stage: 'decode', reason: 'still truncated', level: 'error', filesize: 11, mtime: 21 })
      // One record per file and stage: warnings beside a failure; a failure at another stage replaces the failure.
      await store.recordError({ folder: 'main', path: 'bad.png', stage: 'ai-metadata', reason: 'comfyui prompt: node 4 cannot be followed', level: 'warning' })
      await store.recordError({ folder: 'main', path: 'odd.png', stage: 'probe', reason: 'named .png but holds JPEG', level: 'warning' })
      await store.recordError({ folder: 'errors-only', path: 'x.png', stage: 'read', reason: 'EACCES', level: 'error', transient: true, filesize: 1, mtime: 2 })
    })
    const byKey = (a: { path: string; stage: string }, b: { path: string; stage: string }) => a.path.localeCompare(b.path) || a.stage.localeCompare(b.stage)
    await same(stores, async (store) => (await store.listErrors()).sort(byKey), 'listErrors')
    await same(stores, async (store) => [...(await store.failedFiles('errors-only'))], 'failedFiles after a failure at another stage')
    const oneFile = await same(stores, async (store) => (await store.listErrors('main', 'bad.png')).sort(byKey), 'one file\'s records')
    expect(oneFile.map((record) => `${record.path} ${record.stage}`)).toEqual(['bad.png ai-metadata', 'bad.png decode'])
    await both(stores, (store) => store.clearError('main', 'bad.png', 'ai-metadata'))
    await same(stores, async (store) => (await store.listErrors()).sort(byKey), 'after clearing one stage')
    await same(stores, async (store) => [...(await store.failedFiles('main'))], 'failedFiles')
    await same(stores, (store) => store.listFolders(), 'folders with errors')
    await both(stores, async (store) => {
      await store.clearError('main', 'odd.png')
      await store.clearErrors('errors-only', ['x.png'])
    })
    await same(stores, (store) => store.listErrors(), 'after clearing')
  })

  it('fetches pixiv metadata the same', async () => {
    const pending = await same(stores, (store) => store.pixivPending({}), 'pixivPending')
    expect(pending.length).toBeGreaterThan(3)
    for (const [illustid, outcome] of pixivOutcomes(pending.map((work) => work.illustid))) {
      await both(stores, (store) => store.savePixivWork(illustid, outcome))
    }
    await same(stores, (store) => store.pixivCounts(), 'pixivCounts')
    await same(stores, (store) => store.pixivPending({ retryFailed: true, limit: 3 }), 'pending with retries')
    await same(stores, (store) => store.propagateUserNames(), 'propagated')
    const pixivIds = (await stores.embedded.search({ query: parseSearch('type;=pixiv').query, sort: parseSearch('', 'id;1').sort, limit: 100 })).results.map((image) => image.id)
    for (const id of pixivIds) await same(stores, (store) => store.getImage(id), `pixiv image ${id}`)
    for (const text of ['bookmarks;>100', 'title;=雨宿り', 'type;=pixiv, !bookmarks', 'likes, mt;original', 'tags1:オリジナル, tags1:original', 'views;<50000']) {
      await same(stores, async (store) => (await store.search({ ...parseSearch(text, 'bookmarks;-1', NOW), limit: 50 })).results.map((image) => image.id), text)
    }
  })

  it('relocates, re-imports, touches and removes images the same', async () => {
    const moved = library[4]!.input
    await both(stores, async (store) => {
      await store.relocateImage(5, { folder: 'second', path: 'moved/5.png', filename: '5.png', ext: 'png', filesize: moved.filesize, mtime: moved.mtime, type: 'other', tags1: ['sketch'] })
      await store.touchImage(6, 42, 43)
      // Parameters read again: replaced, and only they (tags, OCR text and stages stay).
      await store.setAiParameters([{ id: 3, ai: { source: 'comfyui', prompt: 'a read again', seed: 12, extra: { size: '64x48' }, raw: '{}' } }, { id: 4 }])
      // The same path with new content: the model outputs of the old content go.
      await store.saveImage({ ...library[7]!.input, hash: 'fresh'.padEnd(16, '0') })
    })
    for (const id of [3, 4, 5, 6, 8]) await same(stores, (store) => store.getImage(id), `image ${id}`)
    await same(stores, async (store) => (await store.searchPrompts({ query: 'again', limit: 5 })).results.map((hit) => hit.id), 'prompt search follows')
    await same(stores, (store) => store.tagInfo('long_hair'), 'tag counts follow')
    await same(stores, (store) => store.removeImages([9, 10, 6, 12345]), 'unused hashes')
    const duplicates = library.flatMap((image, n) => (image.input.hash === DUPLICATE_HASH ? [n + 1] : []))
    await same(stores, (store) => store.removeImages(duplicates.slice(0, 1)), 'a hash still used is kept')
    await same(stores, (store) => store.stats(), 'stats after')
    await same(stores, (store) => store.suggestTags('', 30), 'tags after')
  })

  it('stores, resolves and deletes dataset batch sets the same', async () => {
    const members = [
      { id: 1, hash: library[0]!.input.hash, split: 'train' as const, position: 0 },
      { id: 9, hash: library[8]!.input.hash, split: 'train' as const, position: 1 },
      { id: 3, hash: library[2]!.input.hash, split: 'validation' as const, position: 0 },
    ]
    await both(stores, async (store) => {
      await store.saveBatchSet({ id: 'set-a', createdAt: 1, batchSize: 2, validationSplit: 0.1, testSplit: 0, seed: 7, query: '', images: { train: 2, validation: 1, test: 0 } }, members)
      await store.saveBatchSet({ id: 'set-b', createdAt: 2, batchSize: 8, validationSplit: 0, testSplit: 0, seed: 'abc', query: 'tags.a', images: { train: 0, validation: 0, test: 0 } }, [])
      // Image 9 was removed; its content comes back under a new id.
      await store.saveImage({ ...library[8]!.input, path: 're-imported/9.png' })
    })
    await same(stores, (store) => store.listBatchSets(), 'listBatchSets')
    await same(stores, (store) => store.getBatchSet('set-a'), 'getBatchSet')
    const entries = await same(stores, async (store) => (await store.batchEntries('set-a', 'train', 0, 10)).map((entry) => ({ ...entry, image: entry.image?.path })), 'batchEntries')
    expect(entries[1]!.image).toBe('re-imported/9.png')
    await same(stores, (store) => store.deleteBatchSet('set-b'), 'delete')
    await same(stores, (store) => store.deleteBatchSet('set-b'), 'delete again')
    await same(stores, (store) => store.listBatchSets(), 'after delete')
    await same(stores, async (store) => {
      const chunks: number[][] = []
      for await (const chunk of store.matchingImageKeys(parseSearch('tags.long_hair').query)) chunks.push(chunk.map((key) => key.id))
      return chunks
    }, 'matchingImageKeys')
  })

  it('searches prompts to the same images for plain words and phrases', async () => {
    for (const query of ['masterpiece', '"long hair"', 'hair NOT negative: blurry', 'negative: lowres', 'master*']) {
      await same(stores, async (store) => {
        const page = await store.searchPrompts({ query, limit: 500 })
        return { total: page.total, ids: page.results.map((hit) => hit.id).sort((a, b) => a - b) }
      }, `prompt search ${query}`)
    }
    await expect(stores.servers.searchPrompts({ query: '  ', limit: 5 })).rejects.toThrow('empty query')
  })

  it('queues jobs the same', async () => {
    await both(stores, (store) => store.enqueueJobs([
      { kind: 'file', key: 'main/a.png', payload: { n: 1 } },
      { kind: 'file', key: 'main/b.png', payload: { n: 2 } },
      { kind: 'file', key: 'main/c.png', payload: { n: 3 } },
      { kind: 'file', key: 'main/a.png', payload: { n: 4 } },
    ]))
    const claimed = await same(stores, async (store) => (await store.claimJobs('file', 2, 'w1', 60_000)).map(({ key, payload, attempts }) => ({ key, payload, attempts })), 'claims')
    expect(claimed.map((job) => job.key)).toEqual(['main/a.png', 'main/b.png'])
    await same(stores, (store) => store.countJobs(), 'counts')
    await same(stores, async (store) => {
      const [job] = await store.claimJobs('file', 1, 'w2', 60_000)
      await store.failJob(job!.id, 'broken')
      return store.countJobs()
    }, 'failed')
    await same(stores, (store) => store.releaseJobs((worker) => worker !== 'w1'), 'released')
    await same(stores, (store) => store.countJobs(), 'after release')
  })

  it('saves a batch as saving its images in turn would: a path given twice once, the last input winning', async () => {
    const base = library[30]!.input
    const again = library[31]!.input
    const inputs = [
      { ...base, path: 'batch/a.png', filename: 'a.png', hash: 'batch-a1'.padEnd(16, '0') },
      { ...base, path: 'batch/b.png', filename: 'b.png', hash: 'batch-b'.padEnd(16, '0') },
      { ...base, path: 'batch/a.png', filename: 'a.png', hash: 'batch-a2'.padEnd(16, '0'), width: 123 },
      // An indexed path with new content keeps its id; the old content's tags go.
      { ...again, hash: 'batch-32'.padEnd(16, '0') },
    ]
    const ids = await same(stores, (store) => store.saveImages(inputs), 'ids')
    expect(ids[0]).toBe(ids[2])
    expect(ids[3]).toBe(32)
    expect(new Set(ids).size).toBe(3)
    const a = await same(stores, (store) => store.getImage(ids[0]!), 'the last input of a path')
    expect(a).toMatchObject({ hash: inputs[2]!.hash, width: 123 })
    expect((await same(stores, (store) => store.getImage(32), 're-saved'))?.tags ?? {}).toEqual({})

    const tag = (name: string, score: number) => ({ name, score, category: 'general' as const })
    await both(stores, (store) => store.setTagsMany([
      { id: ids[0]!, tags: [tag('batch_tag', 0.9), tag('batch_only_first', 0.5)] },
      { id: ids[1]!, tags: [tag('batch_tag', 0.8), tag('batch_tag', 0.7)] },
      // The last list of an image wins, as setting them in turn leaves it.
      { id: ids[0]!, tags: [tag('batch_tag', 0.6)] },
      { id: 999_999, tags: [tag('batch_tag', 0.1)] },
    ]))
    expect((await same(stores, (store) => store.getImage(ids[0]!), 'tags of a'))?.tags).toEqual({ batch_tag: 0.6 })
    expect((await same(stores, (store) => store.getImage(ids[1]!), 'tags of b'))?.tags).toEqual({ batch_tag: 0.7 })
    expect(await same(stores, (store) => store.tagInfo('batch_tag'), 'tag count')).toMatchObject({ count: 2 })
    expect(await same(stores, (store) => store.tagInfo('batch_only_first'), 'a tag no image keeps')).toMatchObject({ count: 0 })

    await both(stores, (store) => store.setOcrTexts([{ id: ids[0]!, text: ' 第一 ' }, { id: ids[1]!, text: 'zweite' }, { id: ids[1]!, text: '' }]))
    expect(await same(stores, (store) => store.getImage(ids[0]!), 'ocr of a')).toMatchObject({ text: '第一', textlen: 2 })
    expect((await same(stores, (store) => store.getImage(ids[1]!), 'ocr of b'))?.textlen).toBe(0)
    const found = await same(stores, async (store) => (await store.search({ ...parseSearch('m;第一', '', NOW), limit: 10 })).results.map((image) => image.id), 'ocr search')
    expect(found).toEqual([ids[0]])
    await same(stores, (store) => store.saveImages([]), 'an empty batch')

    // More statements than FerretDB 1.24 answers in one write command: the servers store writes them in chunks.
    await both(stores, (store) => store.setTagsMany(library.map((image, n) => ({ id: n + 1, tags: image.tags }))))
    await same(stores, (store) => store.suggestTags('', 40), 'tags after a large batch')
    const jobs = Array.from({ length: 60 }, (_, n) => ({ kind: 'file' as const, key: `batch/${n}.png`, payload: { n } }))
    await both(stores, async (store) => {
      await store.enqueueJobs(jobs)
      await store.enqueueJobs(jobs)
    })
    await same(stores, (store) => store.countJobs(), 'jobs queued twice')
  })

  // Last: it re-derives every record's name fields from its generated path.
  it('re-parses names from stored paths the same (sagasu reparse)', async () => {
    const config = configSchema.parse({ dataDir: tempDir(), folders: [{ name: 'lib', path: '/nowhere/lib' }], filenames: [{ template: 'custom/{user_id}/{id}-{tags}', type: 'danbooru' }] })
    const paths = ['pixiv/しずく-1234567/98765432_p1-夏.png', 'custom/someone/4567890-long_hair smile.png', `gallery-dl/twitter/ab_12/1657890123456789012_2.png`]
    await both(stores, async (store) => {
      for (const [n, path] of paths.entries()) {
        const image = (await store.getImage(20 + n))!
        await store.relocateImage(image.id, { folder: image.folder, path, filename: path.split('/').pop()!, ext: 'png', filesize: image.filesize, mtime: image.mtime, type: 'other' })
      }
    })
    await same(stores, (store) => reparseSources({ config, store, worker: 'test/1', log: () => undefined }), 'reparse counts')
    for (const id of [20, 21, 22]) await same(stores, (store) => store.getImage(id), `image ${id} re-parsed`)
    expect((await stores.servers.getImage(21))).toMatchObject({ type: 'danbooru', postid: '4567890', userid: 'someone', tags1: ['long_hair', 'smile'] })
    const { query, sort } = parseSearch('type;=danbooru', 'id;1', NOW)
    await same(stores, (store) => store.search({ query, sort, limit: 500 }).then((page) => page.results.map((r) => r.id)), 'danbooru after')
    await same(stores, (store) => store.stats(), 'stats after re-parse')
  })
})

describe('servers store job queue across two store instances (two machines sharing one import)', () => {
  let ferret: FerretDbServer
  let first: Store
  let second: Store

  beforeAll(async () => {
    ferret = await startFerretDb()
    const opened = openTempServersStore(ferret.url)
    first = opened.store
    second = openTempServersStore(ferret.url, opened.database).store
  }, 60_000)

  afterAll(async () => {
    await first?.close()
    await second?.close()
    await ferret?.stop()
  })

  it('never gives one job to two workers, and hands a dead worker\'s job on when its lease runs out', async () => {
    const keys = Array.from({ length: 60 }, (_, n) => `main/${n}.png`)
    await Promise.all([
      first.enqueueJobs(keys.map((key) => ({ kind: 'file', key, payload: { key } }))),
      second.enqueueJobs(keys.slice(0, 30).map((key) => ({ kind: 'file', key, payload: { key } }))),
    ])
    expect(await first.countJobs()).toEqual({ pending: 60, running: 0, failed: 0 })

    const taken: Record<string, string[]> = { a: [], b: [] }
    const work = async (store: Store, worker: 'a' | 'b'): Promise<void> => {
      for (;;) {
        const jobs = await store.claimJobs('file', 3, worker, 60_000)
        if (!jobs.length) return
        for (const job of jobs) {
          taken[worker]!.push(job.key)
          await store.finishJob(job.id)
        }
      }
    }
    await Promise.all([work(first, 'a'), work(second, 'b'), work(first, 'a'), work(second, 'b')])
    const all = [...taken.a!, ...taken.b!]
    expect(all.sort()).toEqual([...keys].sort())
    expect(new Set(all).size).toBe(keys.length)
    expect(taken.a!.length).toBeGreaterThan(0)
    expect(taken.b!.length).toBeGreaterThan(0)

    // A worker claims and dies: its lease runs out, and another worker gets the job.
    await first.enqueueJobs([{ kind: 'file', key: 'main/late.png', payload: {} }])
    const [held] = await first.claimJobs('file', 5, 'dead', 300)
    expect(held?.key).toBe('main/late.png')
    expect(await second.claimJobs('file', 5, 'alive', 60_000)).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 400))
    const [again] = await second.claimJobs('file', 5, 'alive', 60_000)
    expect(again).toMatchObject({ key: 'main/late.png', attempts: 2 })
  })
})

describe('model-stage leases: two store instances per profile (two workers) never hold one image at once', () => {
  const LEASED = 60
  let ferret: FerretDbServer
  /** Per profile, two instances on one database: what two processes or machines have. */
  const pairs = {} as Record<keyof Profiles, [Store, Store]>
  const firsts = (): Profiles => ({ embedded: pairs.embedded[0], servers: pairs.servers[0] })
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

  beforeAll(async () => {
    ferret = await startFerretDb()
    const dir = tempDir()
    pairs.embedded = [openSqliteStore(dir), openSqliteStore(dir)]
    const opened = openTempServersStore(ferret.url)
    pairs.servers = [opened.store, openTempServersStore(ferret.url, opened.database).store]
    const inputs = generateLibrary(LEASED).map((image) => image.input)
    await both(firsts(), async (store) => {
      expect(await store.saveImages(inputs)).toEqual(inputs.map((_, n) => n + 1))
    })
  }, 120_000)

  afterAll(async () => {
    for (const store of [...(pairs.embedded ?? []), ...(pairs.servers ?? [])]) await store?.close()
    await ferret?.stop()
  })

  for (const profile of ['embedded', 'servers'] as const) {
    it(`${profile}: concurrent claims never overlap, together take every image once, and done images are not handed out again`, async () => {
      const [first, second] = pairs[profile]
      const taken: Record<string, number[]> = { a: [], b: [] }
      const work = async (store: Store, worker: 'a' | 'b'): Promise<void> => {
        for (let round = 0; round < LEASED; round++) {
          const chunk = await store.claimStageWork('tag', 'v1', `host-${worker}/1`, 3, 60_000)
          if (!chunk.length) return
          taken[worker]!.push(...chunk.map((item) => item.id))
          await store.markStageDone(chunk.map((item) => item.id), 'tag', 'v1')
        }
      }
      await Promise.all([work(first, 'a'), work(second, 'b'), work(first, 'a'), work(second, 'b')])
      const all = [...taken.a!, ...taken.b!]
      expect(all.length, 'no image taken twice').toBe(LEASED)
      expect([...all].sort((x, y) => x - y)).toEqual(Array.from({ length: LEASED }, (_, n) => n + 1))
      expect(taken.a!.length).toBeGreaterThan(0)
      expect(taken.b!.length).toBeGreaterThan(0)
      expect(await first.claimStageWork('tag', 'v1', 'host-c/1', 10, 60_000)).toEqual([])
      expect(await second.claimStageWork('tag', 'v1', 'host-c/1', 10, 60_000, 0)).toEqual([])
      expect(await first.stageCounts('tag', 'v1')).toEqual({ done: LEASED, pending: 0 })
      // A new version (another model, new settings) makes every image pending again.
      const again = await second.claimStageWork('tag', 'v2', 'host-c/1', 5, 60_000)
      expect(again.map((item) => item.id)).toEqual([1, 2, 3, 4, 5])
      await second.releaseStageWork('tag', 'host-c/1', again.map((item) => item.id))
    })
  }

  it('hands on expired, released and dead workers\' leases the same on both profiles', async () => {
    const stores = firsts()
    const ids = (work: Array<{ id: number }>) => work.map((item) => item.id)
    const claim = (worker: string, limit: number, leaseMs: number, afterId?: number) =>
      same(stores, async (store) => ids(await store.claimStageWork('ocr', 'v1', worker, limit, leaseMs, afterId)), `${worker} claims ${limit}`)
    expect(await same(stores, (store) => store.claimStageWork('ocr', 'v1', 'slow/1', 2, 300), 'work of a claim')).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 1, hash: expect.any(String), folder: expect.any(String), path: expect.any(String) })]))
    expect(await claim('w2/1', 2, 60_000)).toEqual([3, 4])
    expect(await claim('w3/1', 2, 60_000, 10)).toEqual([11, 12])
    // A lease that ran out (its worker stalled or died on another machine) is taken over.
    await sleep(400)
    expect(await claim('w4/1', 3, 60_000)).toEqual([1, 2, 5])
    // Only its holder lets go of a lease; released images are free at once.
    await both(stores, (store) => store.releaseStageWork('ocr', 'someone-else/1', [3, 4]))
    expect(await claim('w5/1', 2, 60_000)).toEqual([6, 7])
    await both(stores, (store) => store.releaseStageWork('ocr', 'w2/1', [3, 4]))
    expect(await claim('w5/1', 2, 60_000)).toEqual([3, 4])
    // Marking done ends whatever lease an image had; a new version of the stage is work again.
    await both(stores, (store) => store.markStageDone([1, 2], 'ocr', 'v1'))
    // The leases of workers that no longer exist end at once.
    expect(await same(stores, (store) => store.releaseStageLeases((worker) => worker !== 'w5/1'), 'released dead')).toBe(4)
    // 5 is still w4's; 11 and 12 are w3's.
    expect(await claim('w6/1', 3, 60_000)).toEqual([3, 4, 6])
    expect(await claim('w6/1', 4, 60_000, 6)).toEqual([7, 8, 9, 10])
    expect(await claim('w6/1', 1, 60_000, 10)).toEqual([13])
  })

  it('gives one expired lease to exactly one of two workers claiming at the same moment', async () => {
    for (const profile of ['embedded', 'servers'] as const) {
      const [first, second] = pairs[profile]
      const stage = `race_${profile}`
      const held = await first.claimStageWork(stage, 'v1', 'stalled/1', 20, 200)
      expect(held).toHaveLength(20)
      await sleep(300)
      const [a, b] = await Promise.all([first.claimStageWork(stage, 'v1', 'x/1', 20, 60_000), second.claimStageWork(stage, 'v1', 'y/1', 20, 60_000)])
      const all = [...a, ...b].map((item) => item.id)
      expect(new Set(all).size, `${profile}: no image in both claims`).toBe(all.length)
      expect(all.length, profile).toBe(40)
      expect(Math.min(...all), profile).toBe(1)
    }
  })
})

describe('servers store: two workers storing tags at once', () => {
  let ferret: FerretDbServer
  let first: Store
  let second: Store

  beforeAll(async () => {
    ferret = await startFerretDb()
    const opened = openTempServersStore(ferret.url)
    first = opened.store
    second = openTempServersStore(ferret.url, opened.database).store
    await first.saveImages(generateLibrary(40).map((image) => image.input))
  }, 60_000)

  afterAll(async () => {
    await first?.close()
    await second?.close()
    await ferret?.stop()
  })

  // FerretDB 1.24 applies \$inc as a read and a write, so the counts themselves may come out short
  // there (docs/servers-profile.md); what must hold on any server is that no write fails and no tag is lost.
  it('stores every image\'s tags when several create the same tag names at once, never failing on the race', async () => {
    const tag = (name: string) => ({ name, score: 0.9, category: 'general' as const })
    // Four writers (two per store instance), each tagging its own ten images with the same new names.
    for (let round = 0; round < 20; round++) {
      const names = [`new_${round}_a`, `new_${round}_b`, `new_${round}_c`]
      await Promise.all([first, second, first, second].map((store, writer) =>
        store.setTagsMany(Array.from({ length: 10 }, (_, n) => ({ id: writer * 10 + n + 1, tags: names.map(tag) })))))
      for (const name of names) expect((await first.tagInfo(name))?.count, name).toBeGreaterThan(0)
    }
    const images = await second.getImages(Array.from({ length: 40 }, (_, n) => n + 1))
    for (const image of images) expect(Object.keys(image.tags ?? {}).sort(), `tags of ${image.id}`).toEqual(['new_19_a', 'new_19_b', 'new_19_c'])
  })
})
