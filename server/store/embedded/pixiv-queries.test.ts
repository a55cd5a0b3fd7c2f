import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ImageInput, PixivWork } from '../../../shared/types/image'
import { openTempStore } from '../../../test/helpers/store'
import { searchImages } from '../../search/search-images'
import type { PixivOutcome, Store } from '../store'

function pixivImage(illustid: string, page: number, overrides: Partial<ImageInput> = {}): ImageInput {
  const filename = `${overrides.userid ? `${overrides.userid}_` : ''}${illustid}_p${page}.png`
  return {
    folder: 'lib', path: `pixiv/${filename}`, filename, ext: 'png', filesize: 100 + page, mtime: 1000, hash: `${illustid}${page}`.padStart(16, '0').slice(-16),
    width: 100, height: 50, format: 'png', animated: false, frames: 1, type: 'pixiv', illustid, page, ...overrides,
  }
}

function work(illustid: string, overrides: Partial<Omit<PixivWork, 'fetchedAt'>> = {}): PixivOutcome {
  return {
    status: 'ok',
    requests: 1,
    work: {
      illustid, title: `作品 ${illustid}`, description: 'line one<br />line <a href="/jump.php?https%3A%2F%2Fexample.com">two</a>',
      userId: '883091', userName: 'アボガド6', createDate: Date.UTC(2021, 1, 7, 9, 2, 3),
      views: 62936, likes: 3386, bookmarks: 3843, comments: 11,
      tags: [{ tag: 'オリジナル', translation: 'original' }, { tag: '女の子', translation: 'girl' }, { tag: '創作' }, { tag: 'girl' }],
      ...overrides,
    },
  }
}

const ids = async (store: Store, query: string, sort?: string) => (await searchImages(store, { query, sort, limit: 100 })).results.map((image) => image.id)

describe('pixiv metadata in the SQLite store', () => {
  let dir: string
  let store: Store
  beforeEach(() => ({ dir, store } = openTempStore()))
  afterEach(() => store.close())

  it('lists each work once, oldest images first, with a user id when a file name gave one', async () => {
    await store.saveImage(pixivImage('200', 0))
    await store.saveImage(pixivImage('100', 0, { userid: '7' }))
    await store.saveImage(pixivImage('200', 1))
    await store.saveImage(pixivImage('100', 1, { userid: '7' }))
    await store.saveImage({ ...pixivImage('300', 0), type: 'other', illustid: undefined, page: undefined, path: 'x.png', filename: 'x.png' })
    expect(await store.pixivPending({})).toEqual([{ illustid: '200' }, { illustid: '100', userid: '7' }])
    expect(await store.pixivPending({ limit: 1 })).toEqual([{ illustid: '200' }])
    expect(await store.pixivCounts()).toEqual({ works: 2, ok: 0, deleted: 0, restricted: 0, failed: 0, unfetched: 2 })
  })

  it('copies a fetched work onto every page: query fields, user, date, tags1 with translations', async () => {
    const p0 = await store.saveImage(pixivImage('87598468', 0))
    const p1 = await store.saveImage(pixivImage('87598468', 1))
    const other = await store.saveImage(pixivImage('5', 0))
    await store.setOcrText(p1, 'ありがとう')
    await store.savePixivWork('87598468', work('87598468'))

    for (const id of [p0, p1]) {
      const image = (await store.getImage(id))!
      expect(image).toMatchObject({ userid: '883091', username: 'アボガド6', date: Date.UTC(2021, 1, 7, 9, 2, 3) })
      expect(image.tags1).toEqual(['オリジナル', '女の子', '創作', 'girl', 'original'])
      expect(image.pixiv).toMatchObject({ illustid: '87598468', title: '作品 87598468', bookmarks: 3843, views: 62936, likes: 3386, comments: 11 })
      expect(image.pixiv!.description).toContain('<br />')
      expect(image.pixiv!.tags).toEqual([{ tag: 'オリジナル', translation: 'original' }, { tag: '女の子', translation: 'girl' }, { tag: '創作' }, { tag: 'girl' }])
      expect(image.pixiv!.fetchedAt).toBeGreaterThan(0)
    }
    expect((await store.getImage(other))!.pixiv).toBeUndefined()
    expect(await store.pixivPending({})).toEqual([{ illustid: '5' }])

    expect(await ids(store, 'bookmarks;>100', 'id;1')).toEqual([p0, p1])
    expect(await ids(store, 'bookmarks;>5000')).toEqual([])
    expect(await ids(store, '!bookmarks')).toEqual([other])
    expect(await ids(store, 'title;="作品 87598468", views;>=62936&<62937, likes;=3386, comments;<12', 'id;1')).toEqual([p0, p1])
    // Translations are tags1 values: `mt;` and `tags1:` find the work by them.
    expect(await ids(store, 'mt;original', 'id;1')).toEqual([p0, p1])
    expect(await ids(store, 'mt;女の子', 'id;1')).toEqual([p0, p1])
    expect(await ids(store, 'tags1:girl, tags1:オリジナル', 'id;1')).toEqual([p0, p1])
    expect(await ids(store, 'date;=2021-02-07', 'id;1')).toEqual([p0, p1])
    // The full-text row keeps the OCR text next to the new tags1.
    expect(await ids(store, 'm;ありがとう, mt;original')).toEqual([p1])
  })

  it('sorts on the counts (missing last when descending)', async () => {
    const a = await store.saveImage(pixivImage('1', 0))
    const b = await store.saveImage(pixivImage('2', 0))
    const c = await store.saveImage(pixivImage('3', 0))
    await store.savePixivWork('1', work('1', { bookmarks: 50, views: 10 }))
    await store.savePixivWork('2', work('2', { bookmarks: 500, views: 5 }))
    expect(await ids(store, '', 'bookmarks')).toEqual([b, a, c])
    expect(await ids(store, '', 'bookmarks;1')).toEqual([c, a, b])
    expect(await ids(store, 'views', 'views;-1')).toEqual([a, b])
    expect(await ids(store, '', 'title;1, id;1')).toEqual([c, a, b])
  })

  it('keeps the file name\'s user id and date, and the name of another user the file name gave', async () => {
    const named = await store.saveImage(pixivImage('9', 0, { userid: '883091', date: 1000 }))
    const other = await store.saveImage(pixivImage('9', 1, { userid: '42' }))
    await store.savePixivWork('9', work('9'))
    expect(await store.getImage(named)).toMatchObject({ userid: '883091', username: 'アボガド6', date: 1000 })
    const mismatched = (await store.getImage(other))!
    expect(mismatched).toMatchObject({ userid: '42' })
    expect(mismatched.username).toBeUndefined()
  })

  it('records permanent and transient failures; only transient ones come back unless asked', async () => {
    for (const id of ['1', '2', '3', '4']) await store.saveImage(pixivImage(id, 0))
    await store.savePixivWork('1', { status: 'deleted', message: '該当作品は削除されたか、存在しない作品IDです。', requests: 1 })
    await store.savePixivWork('2', { status: 'restricted', message: 'The creator has limited who can view this content', requests: 1 })
    await store.savePixivWork('3', { status: 'failed', message: 'HTTP 500, 5 attempts', requests: 5 })
    await store.savePixivWork('4', work('4'))
    expect(await store.pixivPending({})).toEqual([{ illustid: '3' }])
    expect(await store.pixivPending({ retryFailed: true })).toEqual([{ illustid: '1' }, { illustid: '2' }, { illustid: '3' }])
    expect(await store.pixivCounts()).toEqual({ works: 4, ok: 1, deleted: 1, restricted: 1, failed: 1, unfetched: 0 })

    const db = new Database(join(dir, 'sagasu.db'), { readonly: true })
    try {
      const rows = db.prepare('SELECT illustid, status, message, attempts FROM pixiv_works ORDER BY illustid').all()
      expect(rows).toEqual([
        { illustid: '1', status: 'deleted', message: '該当作品は削除されたか、存在しない作品IDです。', attempts: 1 },
        { illustid: '2', status: 'restricted', message: 'The creator has limited who can view this content', attempts: 1 },
        { illustid: '3', status: 'failed', message: 'HTTP 500, 5 attempts', attempts: 5 },
        { illustid: '4', status: 'ok', message: null, attempts: 1 },
      ])
    } finally {
      db.close()
    }
    // A later failure is recorded but does not take the metadata away.
    await store.savePixivWork('4', { status: 'failed', message: 'timed out', requests: 2 })
    expect((await store.findByPath('lib', 'pixiv/4_p0.png'))!.pixiv).toMatchObject({ title: '作品 4' })
    expect(await ids(store, 'bookmarks;>100')).toHaveLength(1)
    expect(await store.pixivPending({ retryFailed: true })).not.toContainEqual({ illustid: '4' })
  })

  it('keeps the metadata through a re-import of a changed file, a new page, and a move; drops it when moved off the work', async () => {
    const p0 = await store.saveImage(pixivImage('77', 0))
    await store.savePixivWork('77', work('77'))
    // The file changed: the pipeline saves it again with the fields its name gives (no pixiv ones).
    expect(await store.saveImage(pixivImage('77', 0, { hash: 'ffffffffffffffff', width: 640 }))).toBe(p0)
    const reimported = (await store.getImage(p0))!
    expect(reimported).toMatchObject({ width: 640, userid: '883091', username: 'アボガド6', date: Date.UTC(2021, 1, 7, 9, 2, 3) })
    expect(reimported.tags1).toContain('original')
    expect(reimported.pixiv?.bookmarks).toBe(3843)
    expect(await ids(store, 'bookmarks;>100, mt;original')).toEqual([p0])

    const p1 = await store.saveImage(pixivImage('77', 1))
    expect((await store.getImage(p1))!.pixiv?.title).toBe('作品 77')
    expect(await store.pixivPending({ retryFailed: true })).toEqual([])

    await store.relocateImage(p1, { folder: 'lib', path: 'moved/77_p1.png', filename: '77_p1.png', ext: 'png', filesize: 101, mtime: 1000, type: 'pixiv', illustid: '77', page: 1 })
    expect(await store.getImage(p1)).toMatchObject({ path: 'moved/77_p1.png', username: 'アボガド6', tags1: expect.arrayContaining(['original']) })
    expect(await ids(store, 'mt;original', 'id;1')).toEqual([p0, p1])

    await store.relocateImage(p1, { folder: 'lib', path: 'moved/other.png', filename: 'other.png', ext: 'png', filesize: 101, mtime: 1000, type: 'other' })
    const off = (await store.getImage(p1))!
    expect(off.pixiv).toBeUndefined()
    expect(off.tags1).toBeUndefined()
    expect(await ids(store, 'bookmarks', 'id;1')).toEqual([p0])
    expect(await ids(store, 'mt;original', 'id;1')).toEqual([p0])
  })

  it('gives images with a user id but no name the name of the same user, pixiv\'s first', async () => {
    const fetched = await store.saveImage(pixivImage('1', 0, { userid: '883091' }))
    const deleted = await store.saveImage(pixivImage('2', 0, { userid: '883091' }))
    const stranger = await store.saveImage(pixivImage('3', 0, { userid: '5' }))
    const tweet = await store.saveImage({ ...pixivImage('x', 0), path: 't1.jpg', filename: 't1.jpg', type: 'twitter', illustid: undefined, page: undefined, userid: 'mika', username: 'ミカ', tweetid: '1' })
    const tweet2 = await store.saveImage({ ...pixivImage('y', 0), path: 't2.jpg', filename: 't2.jpg', type: 'twitter', illustid: undefined, page: undefined, userid: 'mika', tweetid: '2' })
    // A Twitter handle that looks like a pixiv id is another user.
    const digits = await store.saveImage({ ...pixivImage('z', 0), path: 't3.jpg', filename: 't3.jpg', type: 'twitter', illustid: undefined, page: undefined, userid: '883091', tweetid: '3' })
    await store.savePixivWork('1', work('1'))
    await store.savePixivWork('2', { status: 'deleted', message: 'gone', requests: 1 })

    expect(await store.propagateUserNames()).toBe(2)
    expect((await store.getImage(fetched))!.username).toBe('アボガド6')
    expect((await store.getImage(deleted))!.username).toBe('アボガド6')
    expect((await store.getImage(tweet2))!.username).toBe('ミカ')
    expect((await store.getImage(tweet))!.username).toBe('ミカ')
    expect((await store.getImage(stranger))!.username).toBeUndefined()
    expect((await store.getImage(digits))!.username).toBeUndefined()
    expect(await store.propagateUserNames()).toBe(0)
    expect(await ids(store, 'username;=アボガド6', 'id;1')).toEqual([fetched, deleted])
  })
})
