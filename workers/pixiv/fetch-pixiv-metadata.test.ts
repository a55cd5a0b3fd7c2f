import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { configSchema, type SagasuConfig } from '../../config/schema'
import { searchImages } from '../../server/search/search-images'
import { openSqliteStore } from '../../server/store/embedded/sqlite-store'
import type { Store } from '../../server/store/store'
import { deletedReply, okReply, restrictedReply, startPixivServer, type PixivServer } from '../../test/helpers/pixiv-server'
import { tempDir } from '../../test/helpers/library'
import { parseFilename } from '../stages/parse-filename.stage'
import { fetchPixivMetadata } from './fetch-pixiv-metadata'

/** The library: file names as pixiv downloaders write them. */
const FILES = [
  '3011223_104755001_p0.png', // one-page work
  '110203040_p0.jpg', '110203040_p1.jpg', '110203040_p2.jpg', // three pages, no user id in the names
  '3011223_3001_p0.png', // deleted, by the same user as the first work
  '3002_p0.png', // restricted
  '3003_p0.png', // 500 forever
  '3004_p0.png', // 429, then fine
  'twitter_ミカ(@mika)_20230514-213045_1657890123456789012_photo.jpg',
]

describe('fetching pixiv metadata for the library', () => {
  let pixiv: PixivServer
  let store: Store
  let config: SagasuConfig

  const ids = async (query: string, sort = 'id;1') => (await searchImages(store, { query, sort, limit: 100 })).results.map((image) => image.path)

  beforeAll(async () => {
    pixiv = await startPixivServer()
  })
  afterAll(() => pixiv.close())

  beforeEach(async () => {
    store = openSqliteStore(tempDir())
    config = configSchema.parse({ pixiv: { baseUrl: pixiv.url, delayMs: 1, backoffMs: 1, maxWaitMs: 20, retries: 2 } })
    for (const [k, filename] of FILES.entries()) {
      await store.saveImage({
        folder: 'lib', path: filename, filename, ext: filename.slice(filename.lastIndexOf('.') + 1), filesize: 1000 + k, mtime: 1000,
        hash: k.toString(16).padStart(16, '0'), width: 100, height: 100, format: 'png', animated: false, frames: 1, ...parseFilename(filename),
      })
    }
    pixiv.reply('104755001', okReply('illust-single', '104755001'))
    pixiv.reply('110203040', okReply('illust-pages', '110203040'))
    pixiv.reply('3001', deletedReply())
    pixiv.reply('3002', restrictedReply())
    pixiv.reply('3003', { status: 500, body: '<html>500</html>' })
    pixiv.reply('3004', { status: 429, body: '', headers: { 'retry-after': '0' } }, okReply('illust-single', '3004', { bookmarkCount: 7, illustTitle: '雨宿り 2' }))
    pixiv.requests.length = 0
  })
  afterEach(() => store.close())

  it('asks once per work, records every outcome, stores the metadata on every page, then propagates user names', async () => {
    const progress: number[] = []
    const summary = await fetchPixivMetadata({ config, store }, { onProgress: ({ done }) => progress.push(done) })
    expect(summary).toEqual({ works: 6, done: 6, ok: 3, deleted: 1, restricted: 1, failed: 1, requests: 1 + 1 + 1 + 1 + 3 + 2, propagated: 1, interrupted: false })
    expect(progress).toEqual([0, 1, 2, 3, 4, 5, 6])
    // One request for the three pages of 110203040.
    expect(Object.fromEntries(['104755001', '110203040', '3001', '3002', '3003', '3004'].map((id) => [id, pixiv.count(id)])))
      .toEqual({ 104755001: 1, 110203040: 1, 3001: 1, 3002: 1, 3003: 3, 3004: 2 })

    for (const page of [0, 1, 2]) {
      const image = (await store.findByPath('lib', `110203040_p${page}.jpg`))!
      expect(image).toMatchObject({ userid: '545454', username: 'Kuro@冬コミ新刊', date: Date.UTC(2023, 11, 20, 11) })
      expect(image.pixiv).toMatchObject({ title: 'C103 新刊サンプル', views: 2310, likes: 64, bookmarks: 88, comments: 2, userId: '545454' })
      expect(image.pixiv!.description).toContain('&lt;全3ページ&gt;<br /><br />通販')
      expect(image.tags1).toEqual(['漫画', 'C103', '創作', 'manga', 'creation'])
    }
    const single = (await store.findByPath('lib', '3011223_104755001_p0.png'))!
    expect(single.tags1).toEqual(['オリジナル', '女の子', '雨', '傘', 'オリジナル1000users入り', 'original', 'girl', 'rain', 'original 1000+ bookmarks'])
    // The deleted work's image has the user id from its name: it takes the name pixiv gave that user.
    expect(await store.findByPath('lib', '3011223_3001_p0.png')).toMatchObject({ userid: '3011223', username: 'しずく' })
    expect((await store.findByPath('lib', '3011223_3001_p0.png'))!.pixiv).toBeUndefined()

    expect(await ids('bookmarks;>100')).toEqual(['3011223_104755001_p0.png'])
    expect(await ids('bookmarks;>50', 'bookmarks, id;1')).toEqual(['3011223_104755001_p0.png', '110203040_p0.jpg', '110203040_p1.jpg', '110203040_p2.jpg'])
    expect(await ids('bookmarks', 'bookmarks;1, id;1')).toEqual(['3004_p0.png', '110203040_p0.jpg', '110203040_p1.jpg', '110203040_p2.jpg', '3011223_104755001_p0.png'])
    expect(await ids('mt;girl')).toEqual(['3011223_104755001_p0.png', '3004_p0.png'])
    expect(await ids('mt;creation')).toEqual(['110203040_p0.jpg', '110203040_p1.jpg', '110203040_p2.jpg'])
    expect(await ids('title;=雨宿り 2')).toEqual(['3004_p0.png'])
    expect(await store.pixivCounts()).toEqual({ works: 6, ok: 3, deleted: 1, restricted: 1, failed: 1, unfetched: 0 })
  })

  it('asks again only about transient failures, and about deleted and restricted works with retryFailed', async () => {
    await fetchPixivMetadata({ config, store })
    pixiv.requests.length = 0
    pixiv.reply('3003', okReply('illust-single', '3003'))
    pixiv.reply('3002', okReply('illust-single', '3002', { bookmarkCount: 4321 }))

    expect(await fetchPixivMetadata({ config, store })).toMatchObject({ works: 1, ok: 1, requests: 1 })
    expect(pixiv.requests.map((request) => request.illustid)).toEqual(['3003'])
    expect(await fetchPixivMetadata({ config, store })).toMatchObject({ works: 0, done: 0, requests: 0 })

    expect(await fetchPixivMetadata({ config, store }, { retryFailed: true })).toMatchObject({ works: 2, ok: 1, deleted: 1 })
    expect(pixiv.requests.map((request) => request.illustid)).toEqual(['3003', '3001', '3002'])
    expect(await ids('bookmarks;>4000')).toEqual(['3002_p0.png'])
  })

  it('takes at most `limit` works, oldest images first', async () => {
    expect(await fetchPixivMetadata({ config, store }, { limit: 2 })).toMatchObject({ works: 2, done: 2, ok: 2 })
    expect(pixiv.requests.map((request) => request.illustid)).toEqual(['104755001', '110203040'])
  })

  it('runs several works at once with concurrency, each still asked once', async () => {
    const summary = await fetchPixivMetadata({ config: { ...config, pixiv: { ...config.pixiv, concurrency: 3 } }, store })
    expect(summary).toMatchObject({ works: 6, done: 6, ok: 3, failed: 1 })
    expect(pixiv.requests.filter((request) => request.illustid !== '3003' && request.illustid !== '3004')).toHaveLength(4)
  })

  it('stops between requests when aborted; the rest stays pending and names still propagate', async () => {
    const abort = new AbortController()
    const summary = await fetchPixivMetadata({ config, store }, {
      signal: abort.signal,
      onProgress: ({ done }) => {
        if (done === 1) abort.abort()
      },
    })
    expect(summary).toMatchObject({ works: 6, done: 1, ok: 1, interrupted: true })
    expect(pixiv.requests.map((request) => request.illustid)).toEqual(['104755001'])
    expect(await store.pixivPending({})).toHaveLength(5)
    expect(await store.findByPath('lib', '3011223_3001_p0.png')).toMatchObject({ username: 'しずく' })
  })
})
