import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_PIXIV_USER_AGENT } from '../../config/schema'
import { deletedReply, okReply, restrictedReply, startPixivServer, type PixivServer } from '../../test/helpers/pixiv-server'
import { createPixivClient, type PixivClientOptions } from './pixiv-client'

describe('the pixiv client, against a server that answers as pixiv does', () => {
  let pixiv: PixivServer
  let options: PixivClientOptions

  beforeAll(async () => {
    pixiv = await startPixivServer()
    // Tiny waits; a timeout generous enough that only a held reply reaches it.
    options = { baseUrl: `${pixiv.url}/`, userAgent: DEFAULT_PIXIV_USER_AGENT, timeoutMs: 5000, retries: 3, backoffMs: 5, maxWaitMs: 50 }
  })
  afterAll(() => pixiv.close())

  it('fetches a work in one request, with a browser User-Agent, pixiv\'s Referer and no cookie by default', async () => {
    pixiv.reply('104755001', okReply('illust-single', '104755001'))
    const outcome = await createPixivClient(options).fetchWork('104755001')
    expect(outcome).toMatchObject({ status: 'ok', requests: 1, work: { illustid: '104755001', title: '雨宿り', bookmarks: 1204, userName: 'しずく' } })
    expect(pixiv.count('104755001')).toBe(1)
    const { headers } = pixiv.requests.at(-1)!
    expect(headers).toMatchObject({ 'user-agent': DEFAULT_PIXIV_USER_AGENT, referer: 'https://www.pixiv.net/', accept: 'application/json' })
    expect(headers.cookie).toBeUndefined()
  })

  it('sends the configured session cookie', async () => {
    pixiv.reply('2001', okReply('illust-single', '2001'))
    await createPixivClient({ ...options, cookie: 'PHPSESSID=12345_abcdef' }).fetchWork('2001')
    expect(pixiv.requests.at(-1)!.headers.cookie).toBe('PHPSESSID=12345_abcdef')
  })

  it('records deleted and restricted works at once, without retrying', async () => {
    pixiv.reply('2002', deletedReply())
    pixiv.reply('2003', restrictedReply())
    const client = createPixivClient(options)
    expect(await client.fetchWork('2002')).toEqual({ status: 'deleted', message: '該当作品は削除されたか、存在しない作品IDです。', requests: 1 })
    expect(await client.fetchWork('2003')).toEqual({ status: 'restricted', message: 'The creator has limited who can view this content', requests: 1 })
    expect(pixiv.count('2002')).toBe(1)
    expect(pixiv.count('2003')).toBe(1)
  })

  it('honours Retry-After on 429 (seconds and HTTP date), capped at maxWaitMs, then succeeds', async () => {
    pixiv.reply('2004',
      { status: 429, body: { error: true, message: 'Too Many Requests', body: [] }, headers: { 'retry-after': '0' } },
      { status: 429, body: 'rate limited', headers: { 'retry-after': new Date(Date.now() - 1000).toUTCString() } },
      // Asks for an hour: the wait is capped at maxWaitMs (50 ms), or this test would time out.
      { status: 429, body: 'rate limited', headers: { 'retry-after': '3600' } },
      okReply('illust-single', '2004'))
    expect(await createPixivClient(options).fetchWork('2004')).toMatchObject({ status: 'ok', requests: 4 })
    expect(pixiv.count('2004')).toBe(4)
  })

  it('retries a 500 and succeeds; gives up on a 500 that lasts, after 1 + retries requests', async () => {
    pixiv.reply('2005', { status: 500, body: '<html>Internal Server Error</html>' }, okReply('illust-single', '2005'))
    expect(await createPixivClient(options).fetchWork('2005')).toMatchObject({ status: 'ok', requests: 2 })
    pixiv.reply('2006', { status: 500, body: '<html>Internal Server Error</html>' })
    expect(await createPixivClient(options).fetchWork('2006')).toEqual({ status: 'failed', message: 'HTTP 500, 4 attempts', requests: 4 })
    expect(pixiv.count('2006')).toBe(4)
    pixiv.reply('2007', { status: 503, body: '' })
    expect(await createPixivClient({ ...options, retries: 0 }).fetchWork('2007')).toEqual({ status: 'failed', message: 'HTTP 503, 1 attempt', requests: 1 })
  })

  it('gives up on a reply slower than the timeout, and on one whose body never ends', async () => {
    const quick = { ...options, timeoutMs: 300, retries: 1 }
    pixiv.reply('2008', { ...okReply('illust-single', '2008'), hang: true })
    expect(await createPixivClient(quick).fetchWork('2008')).toEqual({ status: 'failed', message: 'no complete reply within 300 ms, 2 attempts', requests: 2 })
    pixiv.reply('2009', { ...okReply('illust-single', '2009'), hangBody: true })
    expect(await createPixivClient(quick).fetchWork('2009')).toMatchObject({ status: 'failed', message: 'no complete reply within 300 ms, 2 attempts' })
    pixiv.release()
  })

  it('retries after a timeout and takes the next reply', async () => {
    pixiv.reply('2010', { ...okReply('illust-single', '2010'), hang: true }, okReply('illust-single', '2010'))
    expect(await createPixivClient({ ...options, timeoutMs: 1000 }).fetchWork('2010')).toMatchObject({ status: 'ok', requests: 2 })
    pixiv.release()
  })

  it('retries malformed JSON and a body that is not the work asked for, then records the failure', async () => {
    pixiv.reply('2011', { status: 200, body: '{"error":false,"message":"","body":{"illustId":"2011","illustTi' })
    expect(await createPixivClient({ ...options, retries: 2 }).fetchWork('2011')).toEqual({
      status: 'failed', message: expect.stringMatching(/^HTTP 200: the reply is not JSON \("\{.*…"\), 3 attempts$/), requests: 3,
    })
    pixiv.reply('2012', okReply('illust-single', '999'))
    expect(await createPixivClient({ ...options, retries: 1 }).fetchWork('2012')).toEqual({ status: 'failed', message: 'the reply is about work 999, 2 attempts', requests: 2 })
  })

  it('reports a network error as a failure after its retries', async () => {
    const closed = await startPixivServer()
    const url = closed.url
    await closed.close()
    const outcome = await createPixivClient({ ...options, baseUrl: url, retries: 1 }).fetchWork('2013')
    expect(outcome).toMatchObject({ status: 'failed', requests: 2, message: expect.stringMatching(/^network error: .*ECONNREFUSED.*, 2 attempts$/) })
  })

  it('requests nothing for an id that is not digits', async () => {
    const before = pixiv.requests.length
    const client = createPixivClient(options)
    for (const id of ['', '12a', '../../etc/passwd', '1/2', 'http://evil.example/', ' 1']) await expect(client.fetchWork(id)).rejects.toThrow(/not a pixiv illust id/)
    expect(pixiv.requests.length).toBe(before)
  })

  it('stops when aborted, waiting or in flight, with no outcome', async () => {
    pixiv.reply('2014', { status: 500, body: '' })
    const waiting = new AbortController()
    const slowRetries = createPixivClient({ ...options, backoffMs: 60_000, maxWaitMs: 60_000 })
    const during = slowRetries.fetchWork('2014', waiting.signal)
    setTimeout(() => waiting.abort(), 100)
    await expect(during).rejects.toThrow()
    expect(pixiv.count('2014')).toBe(1)

    pixiv.reply('2015', { ...okReply('illust-single', '2015'), hang: true })
    const inFlight = new AbortController()
    const pending = createPixivClient(options).fetchWork('2015', inFlight.signal)
    setTimeout(() => inFlight.abort(), 100)
    await expect(pending).rejects.toThrow()
    pixiv.release()
  })
})
