import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ImageInput } from '../../../shared/types/image'
import { tempDir } from '../../../test/helpers/library'
import { openTempStore } from '../../../test/helpers/store'
import { parseQuery, parseSort } from '../../query'
import type { Store } from '../store'
import { SCHEMA_VERSION } from './migrations'
import { openSqliteStore } from './sqlite-store'

function image(overrides: Partial<ImageInput> = {}): ImageInput {
  return {
    folder: 'lib', path: 'a.png', filename: 'a.png', ext: 'png', filesize: 10, mtime: 1000, hash: '0123456789abcdef',
    width: 100, height: 50, format: 'png', animated: false, frames: 1, type: 'other', ...overrides,
  }
}

describe('SQLite store', () => {
  let dir: string
  let store: Store
  beforeEach(() => ({ dir, store } = openTempStore()))
  afterEach(() => store.close())

  it('saves, replaces at the same path keeping the id, and reads back every field', async () => {
    const ai = { source: 'a1111' as const, prompt: '1girl, 雨', negativePrompt: 'lowres', seed: 42, steps: 20, cfg: 7, sampler: 'Euler a', model: 'anything', extra: { size: '512x512' }, raw: 'raw' }
    const id = await store.saveImage(image({ type: 'yandere', postid: '9', tags1: ['b_tag', 'a_tag'], ai }))
    expect(await store.getImage(id)).toMatchObject({ id, postid: '9', tags1: ['b_tag', 'a_tag'], ai, animated: false })
    const again = await store.saveImage(image({ hash: 'fedcba9876543210', width: 7 }))
    expect(again).toBe(id)
    const replaced = await store.getImage(id)
    expect(replaced).toMatchObject({ width: 7, type: 'other' })
    expect(replaced?.ai).toBeUndefined()
    expect(replaced?.tags1).toBeUndefined()
  })

  it('relocates keeping the id and reports hashes nobody uses after removal', async () => {
    const a = await store.saveImage(image())
    const b = await store.saveImage(image({ path: 'copy.png', filename: 'copy.png' }))
    await store.relocateImage(a, { folder: 'other', path: 'x/11_22_p0.png', filename: '11_22_p0.png', ext: 'png', filesize: 10, mtime: 2000, type: 'pixiv', illustid: '22', page: 0, userid: '11' })
    expect(await store.findByPath('other', 'x/11_22_p0.png')).toMatchObject({ id: a, illustid: '22' })
    expect((await store.findByHash('0123456789abcdef')).map((i) => i.id)).toEqual([a, b])
    expect(await store.removeImages([a])).toEqual([])
    expect(await store.removeImages([b])).toEqual(['0123456789abcdef'])
    expect((await store.stats()).images).toBe(0)
  })

  it('hands each job to one worker, takes back the jobs of dead workers, and keeps one job per key', async () => {
    await store.enqueueJobs([1, 2, 3].map((n) => ({ kind: 'file' as const, key: `k${n}`, payload: { n } })))
    await store.enqueueJobs([{ kind: 'file', key: 'k1', payload: { n: 1 } }])
    const first = await store.claimJobs('file', 2, 'host/1', 60_000)
    const second = await store.claimJobs('file', 5, 'host/2', 60_000)
    expect(first.map((j) => j.key)).toEqual(['k1', 'k2'])
    expect(second.map((j) => j.key)).toEqual(['k3'])
    expect(await store.claimJobs('file', 5, 'host/3', 60_000)).toEqual([])
    expect(await store.releaseJobs((worker) => worker !== 'host/1')).toBe(2)
    expect((await store.claimJobs('file', 5, 'host/3', 60_000)).map((j) => j.key)).toEqual(['k1', 'k2'])
    for (const job of second) await store.finishJob(job.id)
    expect(await store.countJobs()).toEqual({ pending: 0, running: 2, failed: 0 })
  })

  it('takes back a job whose lease ran out', async () => {
    await store.enqueueJobs([{ kind: 'file', key: 'k', payload: {} }])
    expect(await store.claimJobs('file', 1, 'elsewhere/1', -1)).toHaveLength(1)
    const [again] = await store.claimJobs('file', 1, 'host/2', 60_000)
    expect(again).toMatchObject({ key: 'k', attempts: 2 })
  })

  it('searches a parsed query with keyset pages and keeps user values out of the SQL', async () => {
    for (let i = 0; i < 5; i++) await store.saveImage(image({ path: `${i}.png`, filename: `${i}.png`, width: i * 100, userid: `"'; DROP TABLE images; --${i}` }))
    const query = parseQuery('width;>=200')
    const sort = parseSort('width;1')
    if (!query.ok || !sort.ok) throw new Error('parse failed')
    const first = await store.search({ query: query.value, sort: sort.value, limit: 2 })
    expect(first.total).toBe(3)
    expect(first.results.map((r) => r.width)).toEqual([200, 300])
    const second = await store.search({ query: query.value, sort: sort.value, limit: 2, after: first.next! })
    expect(second.results.map((r) => r.width)).toEqual([400])
    expect(second.next).toBeUndefined()
    const injected = parseQuery('userid;="\\"\'; DROP TABLE images; --3"')
    if (!injected.ok) throw new Error(injected.error.message)
    const found = await store.search({ query: injected.value, sort: [], limit: 10 })
    expect(found.results.map((r) => r.path)).toEqual(['3.png'])
    expect((await store.stats()).images).toBe(5)
  })

  it('stores tags with counts for autocomplete, and drops them when the content changes', async () => {
    const a = await store.saveImage(image())
    const b = await store.saveImage(image({ path: 'b.png', filename: 'b.png' }))
    await store.setTags(a, [{ name: 'long_hair', category: 'general', score: 0.9 }, { name: 'rating:general', category: 'rating', score: 0.8 }])
    await store.setTags(b, [{ name: 'long_hair', category: 'general', score: 0.4 }, { name: 'hatsune_miku', category: 'character', score: 0.95 }])
    expect((await store.getImage(a))?.tags).toEqual({ long_hair: 0.9, 'rating:general': 0.8 })
    expect(await store.suggestTags('l', 10)).toEqual([{ name: 'long_hair', category: 'general', count: 2 }])
    expect((await store.suggestTags('', 10)).map((t) => t.name)).toEqual(['long_hair', 'hatsune_miku', 'rating:general'])
    await store.saveImage(image({ hash: 'ffffffffffffffff' }))
    expect((await store.getImage(a))?.tags).toBeUndefined()
    expect(await store.suggestTags('long', 10)).toEqual([{ name: 'long_hair', category: 'general', count: 1 }])
    await store.removeImages([b])
    expect(await store.suggestTags('', 10)).toEqual([])
  })

  it('keeps OCR text searchable, substrings of any length included', async () => {
    const id = await store.saveImage(image())
    await store.setOcrText(id, '雨の街でありがとう Thank you')
    for (const [text, hits] of [['m;ありがとう', 1], ['m;雨', 1], ['m;THANK', 1], ['m;ありがとう thank', 1], ['m;さようなら', 0], ['textlen;>10', 1]] as const) {
      const query = parseQuery(text)
      if (!query.ok) throw new Error(query.error.message)
      expect(await store.count(query.value), text).toBe(hits)
    }
    expect((await store.getImage(id))?.textlen).toBe(19)
  })

  it('migrates to the current schema and refuses a database from a newer version', async () => {
    await store.close()
    const db = new Database(join(dir, 'sagasu.db'))
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    db.close()
    expect(() => openSqliteStore(dir)).toThrow(/newer Sagasu/)
    store = openSqliteStore(tempDir())
  })
})
