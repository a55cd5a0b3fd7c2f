import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { configSchema } from '../config/schema'
import type { ImageInput } from '../shared/types/image'
import type { Store } from '../server/store/store'
import { openTempStore } from '../test/helpers/store'
import type { PipelineContext } from './pipeline-context'
import { ensureSourcesCurrent, reparseSources } from './reparse'

/** A record as an older Sagasu stored it: the name parsed without folders, so these were `other`. */
function oldRecord(n: number, path: string, extra: Partial<ImageInput> = {}): ImageInput {
  const filename = path.split('/').pop()!
  return {
    folder: 'lib', path, filename, ext: filename.split('.').pop()!, filesize: 1000 + n, mtime: 1_700_000_000_000, hash: n.toString(16).padStart(16, '0'),
    width: 10, height: 10, format: 'png', animated: false, frames: 1, type: 'other', ...extra,
  }
}

describe('reparse', () => {
  let dir: string
  let store: Store
  let logs: string[]
  let ctx: PipelineContext

  beforeEach(() => {
    ({ dir, store } = openTempStore())
    logs = []
    // The folder does not exist: a re-parse must not need a single file.
    const config = configSchema.parse({ dataDir: dir, folders: [{ name: 'lib', path: join(dir, 'gone', 'downloads') }] })
    ctx = { config, store, worker: 'test/1', log: (message) => logs.push(message) }
  })
  afterEach(async () => {
    await store.close()
  })

  it('re-derives the name fields from the stored path, keeps everything else, and counts only real changes', async () => {
    const pbd = await store.saveImage(oldRecord(1, 'pixiv/しずく-1234567/98765432_p1-夏.png', { ai: { source: 'a1111', prompt: 'a cat', raw: 'a cat' } }))
    await store.setTags(pbd, [{ name: 'cat', category: 'general', score: 0.9 }])
    const tweet = await store.saveImage(oldRecord(2, 'twitter_A(@ab_12)_20230514-213045_1657890123456789012_photo-2.jpg', { type: 'twitter', userid: 'ab_12', tweetid: '1657890123456789012', username: 'A', date: Date.UTC(2023, 4, 14, 21, 30, 45) }))
    const plain = await store.saveImage(oldRecord(3, 'holiday/IMG_2041.png'))
    // A pixiv work whose metadata was fetched: the user name is pixiv's, and stays.
    const fetched = await store.saveImage(oldRecord(4, 'pixiv/old-name-7654321/11111111_p0-t.png'))
    await store.savePixivWork('11111111', { status: 'ok', requests: 1, work: { illustid: '11111111', title: 'T', description: '', userId: '7654321', userName: 'pixiv name', createDate: 1, views: 1, likes: 1, bookmarks: 1, comments: 1, tags: [{ tag: '猫' }] } })

    const counts = await reparseSources(ctx)
    expect(counts).toEqual({ checked: 4, changed: 3 })
    const [a, b, c, d] = await store.getImages([pbd, tweet, plain, fetched])
    expect(a).toMatchObject({ type: 'pixiv', illustid: '98765432', page: 1, userid: '1234567', username: 'しずく', tags: { cat: 0.9 }, ai: { prompt: 'a cat' } })
    expect(b).toMatchObject({ type: 'twitter', page: 2, tweetid: '1657890123456789012' })
    expect(c).toMatchObject({ type: 'other' })
    expect(d).toMatchObject({ type: 'pixiv', illustid: '11111111', userid: '7654321', username: 'pixiv name', tags1: ['猫'], pixiv: { title: 'T' } })

    expect(await reparseSources(ctx)).toEqual({ checked: 4, changed: 0 })
    // Nothing to write the second time, the page with pixiv's metadata included.
    const again = await store.getImages([pbd, tweet, plain, fetched])
    expect(again.map((image) => image.updatedAt)).toEqual([a, b, c, d].map((image) => image!.updatedAt))
  })

  it('runs at import only when the naming rules changed, and records them', async () => {
    await store.saveImage(oldRecord(1, 'pixiv/しずく-1234567/98765432_p1-夏.png'))
    expect(await ensureSourcesCurrent(ctx)).toEqual({ checked: 1, changed: 1 })
    expect(existsSync(join(dir, 'filename-rules.sha256'))).toBe(true)
    expect(logs.join('\n')).toContain('re-read the names of 1 images, 1 changed')
    expect(await ensureSourcesCurrent(ctx)).toBeUndefined()

    // A template for the same folder now reads the title's first word as the user name.
    ctx.config = configSchema.parse({ ...ctx.config, filenames: [{ template: '{user_id}/{id}-{user}', type: 'pixiv' }] })
    const [image] = await store.getImages([1])
    await store.relocateImage(1, { ...image!, path: '1234567/98765432_p1-しずく.png', filename: '98765432_p1-しずく.png', type: 'other' })
    expect(await ensureSourcesCurrent(ctx)).toEqual({ checked: 1, changed: 1 })
    expect((await store.getImages([1]))[0]).toMatchObject({ type: 'pixiv', userid: '1234567', username: 'しずく', illustid: '98765432', page: 1 })
  })
})
