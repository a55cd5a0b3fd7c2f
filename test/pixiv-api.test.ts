import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PixivJobStatus, SearchPage } from '../shared/types/api'
import type { ImageRecord } from '../shared/types/image'
import { openApiDocument, schemaProblems } from '../server/openapi/openapi-document'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { deletedReply, okReply, startPixivServer, type PixivServer } from './helpers/pixiv-server'
import { eventually, startServer, type RunningServer } from './helpers/server'

const document = openApiDocument('test')

describe('POST /api/pixiv/fetch and GET /api/pixiv/status on the built server', () => {
  let pixiv: PixivServer
  let server: RunningServer

  const post = (body: string | undefined) => fetch(`${server.url}/api/pixiv/fetch`, { method: 'POST', headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }) })
  const status = async () => (await (await fetch(`${server.url}/api/pixiv/status`)).json()) as PixivJobStatus
  const expectSchema = (schema: string, value: unknown) => expect(schemaProblems(document, { $ref: `#/components/schemas/${schema}` }, value), schema).toEqual([])

  beforeAll(async () => {
    pixiv = await startPixivServer()
    const dir = tempDir()
    const files = ['3011223_104755001_p0.png', '110203040_p0.png', '110203040_p1.png', '3011223_3001_p0.png']
    for (const [k, file] of files.entries()) await writeImage(join(dir, 'lib', file), { color: colorOf(k) })
    const config = writeConfig(dir, {
      folders: [{ name: 'lib', path: './lib' }], dataDir: './data',
      pixiv: { baseUrl: pixiv.url, delayMs: 0, backoffMs: 1, maxWaitMs: 10, retries: 1 },
    })
    server = await startServer(['--config', config])
  })
  afterAll(async () => {
    await server?.stop()
    await pixiv?.close()
  })

  it('reports an idle job and the library\'s works before any run', async () => {
    const idle = await status()
    expectSchema('PixivJobStatus', idle)
    expect(idle).toMatchObject({ running: false, total: 0, done: 0, startedAt: null, lastError: null, library: { works: 3, ok: 0, unfetched: 3 } })
  })

  it.each([
    ['{"limit": 0}', /limit: Too small/],
    ['{"limit": "5"}', /limit: Invalid input: expected number/],
    ['{"limit": 2.5}', /limit/],
    ['{"retryFailed": "yes"}', /retryFailed: Invalid input: expected boolean/],
    ['{"bogus": 1}', /unknown parameter bogus; known: limit, retryFailed/],
    ['[1]', /expected object/],
    ['{"limit": ', /the body is not valid JSON/],
  ])('answers the body %s with 400 naming the problem, and starts nothing', async (body, message) => {
    const response = await post(body)
    expect(response.status).toBe(400)
    const json = (await response.json()) as { error: { message: string } }
    expect(json.error.message).toMatch(message)
    expectSchema('Error', json)
    expect(pixiv.requests).toEqual([])
    expect((await status()).startedAt).toBeNull()
  })

  it('starts one run (202), refuses a second while it runs (409), and reports progress until it ends', async () => {
    pixiv.reply('104755001', { ...okReply('illust-single', '104755001'), hang: true })
    pixiv.reply('110203040', okReply('illust-pages', '110203040'))
    pixiv.reply('3001', deletedReply())

    const started = await post(undefined)
    expect(started.status).toBe(202)
    const first = (await started.json()) as PixivJobStatus
    expectSchema('PixivJobStatus', first)
    expect(first.running).toBe(true)
    await eventually(async () => (pixiv.count('104755001') > 0 ? true : undefined), 20_000, 'the held request')

    const again = await post('{"retryFailed": true}')
    expect(again.status).toBe(409)
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain('already running')
    const during = await status()
    expect(during).toMatchObject({ running: true, total: 3, finishedAt: null })
    expect(during.done).toBeLessThan(3)

    pixiv.release()
    const done = await eventually(async () => {
      const current = await status()
      return current.running ? undefined : current
    }, 20_000, 'the run to end')
    expectSchema('PixivJobStatus', done)
    expect(done).toMatchObject({
      running: false, total: 3, done: 3, counts: { ok: 2, deleted: 1, restricted: 0, failed: 0 }, requests: 3, propagated: 1, interrupted: false,
      lastError: { illustid: '3001', message: 'deleted: 該当作品は削除されたか、存在しない作品IDです。' },
      library: { works: 3, ok: 2, deleted: 1, unfetched: 0 },
    })
    expect(pixiv.count('110203040')).toBe(1)

    const page = (await (await fetch(`${server.url}/api/search?${new URLSearchParams({ q: 'bookmarks;>100', sort: 'bookmarks' })}`)).json()) as SearchPage
    expect(page.results.map((image) => image.path)).toEqual(['3011223_104755001_p0.png'])
    const image = (await (await fetch(`${server.url}/api/images/${page.results[0]!.id}`)).json()) as ImageRecord
    expectSchema('Image', image)
    expect(image.pixiv).toMatchObject({ title: '雨宿り', bookmarks: 1204, description: expect.stringContaining('<br />') })
    const pages = (await (await fetch(`${server.url}/api/search?${new URLSearchParams({ q: 'mt;manga', sort: 'path;1' })}`)).json()) as SearchPage
    expect(pages.results.map((record) => [record.path, record.username])).toEqual([['110203040_p0.png', 'Kuro@冬コミ新刊'], ['110203040_p1.png', 'Kuro@冬コミ新刊']])

    // Nothing left to fetch: a new run ends at once; with retryFailed it asks about the deleted work again.
    expect((await post('{}')).status).toBe(202)
    await eventually(async () => ((await status()).running ? undefined : true), 20_000, 'the empty run')
    expect(await status()).toMatchObject({ total: 0, done: 0 })
    expect((await post('{"retryFailed": true, "limit": 5}')).status).toBe(202)
    const retried = await eventually(async () => {
      const current = await status()
      return current.running ? undefined : current
    }, 20_000, 'the retry run')
    expect(retried).toMatchObject({ total: 1, counts: { deleted: 1 } })
    expect(pixiv.count('3001')).toBe(2)
  })
})
