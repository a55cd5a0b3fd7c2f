import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema } from '../../config/schema'
import { tempDir } from '../../test/helpers/library'
import { deletedReply, okReply, startPixivServer, type PixivServer } from '../../test/helpers/pixiv-server'
import { eventually } from '../../test/helpers/server'
import { openSqliteStore } from '../../server/store/embedded/sqlite-store'
import type { Store } from '../../server/store/store'
import { createPixivJob } from './pixiv-job'

describe('the background pixiv job', () => {
  let pixiv: PixivServer
  let store: Store

  beforeAll(async () => {
    pixiv = await startPixivServer()
    store = openSqliteStore(tempDir())
    for (const [k, illustid] of ['41', '42', '43'].entries()) {
      const filename = `7_${illustid}_p0.png`
      await store.saveImage({
        folder: 'lib', path: filename, filename, ext: 'png', filesize: 1, mtime: 1, hash: String(k).padStart(16, '0'),
        width: 1, height: 1, format: 'png', animated: false, frames: 1, type: 'pixiv', illustid, page: 0, userid: '7',
      })
    }
  })
  afterAll(async () => {
    await store.close()
    await pixiv.close()
  })

  it('runs one fetch at a time in the background and reports its progress', async () => {
    pixiv.reply('41', { ...okReply('illust-single', '41'), hang: true })
    pixiv.reply('42', deletedReply())
    pixiv.reply('43', { status: 500, body: '' })
    const config = configSchema.parse({ pixiv: { baseUrl: pixiv.url, delayMs: 0, backoffMs: 1, maxWaitMs: 5, retries: 1 } })
    const job = createPixivJob({ config, store, worker: 'test/1', log: () => {} })

    expect(job.start({})).toBe(true)
    await eventually(async () => (pixiv.count('41') > 0 ? true : undefined), 10_000, 'the first request')
    expect(job.start({ retryFailed: true })).toBe(false)
    const during = await job.status()
    expect(during).toMatchObject({ running: true, total: 3, done: 0, finishedAt: null, propagated: null, library: { works: 3, unfetched: 3 } })
    expect(during.startedAt).toEqual(expect.any(Number))

    pixiv.release()
    const after = await eventually(async () => {
      const status = await job.status()
      return status.running ? undefined : status
    }, 10_000, 'the run to end')
    expect(after).toMatchObject({
      running: false, total: 3, done: 3, counts: { ok: 1, deleted: 1, restricted: 0, failed: 1 }, requests: 4, propagated: 0, interrupted: false,
      lastError: { illustid: expect.stringMatching(/^4[23]$/), message: expect.stringMatching(/^(deleted|failed): /) },
      library: { works: 3, ok: 1, deleted: 1, failed: 1, unfetched: 0 },
    })
    expect(after.finishedAt).toBeGreaterThanOrEqual(after.startedAt!)

    // Another run may start now; stop() ends it between requests and waits.
    pixiv.reply('43', { ...okReply('illust-single', '43'), hang: true })
    expect(job.start({})).toBe(true)
    await eventually(async () => (pixiv.count('43') > 2 ? true : undefined), 10_000, 'the retried request')
    await job.stop()
    expect(await job.status()).toMatchObject({ running: false, total: 1, done: 0, interrupted: true })
    pixiv.release()
  })
})
