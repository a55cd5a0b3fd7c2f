import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ImportCounts, PixivRunSummary, SearchPage } from '../shared/types/api'
import { CLI, ROOT, runCli, runCliJson } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { deletedReply, okReply, restrictedReply, startPixivServer, type PixivServer } from './helpers/pixiv-server'
import { eventually } from './helpers/server'

describe('sagasu pixiv', () => {
  let pixiv: PixivServer
  let config: string

  // Import order (ids) depends on the scan; path order does not.
  const search = async (query: string, sort = 'path;1') => {
    const { code, body, stderr } = await runCliJson<SearchPage>(['--config', config, 'search', '--query', query, '--sort', sort])
    expect(code, stderr).toBe(0)
    return body.results.map((image) => image.path)
  }

  beforeAll(async () => {
    pixiv = await startPixivServer()
  })
  afterAll(() => pixiv.close())

  beforeEach(async () => {
    const dir = tempDir()
    const files = ['3011223_104755001_p0.png', '110203040_p0.png', '110203040_p1.png', '3011223_3001_p0.png', '3002_p0.png', '3003_p0.png', 'other.png']
    for (const [k, file] of files.entries()) await writeImage(join(dir, 'lib', file), { color: colorOf(k) })
    config = writeConfig(dir, {
      folders: [{ name: 'lib', path: './lib' }], dataDir: './data',
      pixiv: { baseUrl: pixiv.url, delayMs: 0, backoffMs: 1, maxWaitMs: 10, retries: 1, timeoutMs: 5000 },
    })
    const imported = await runCliJson<ImportCounts>(['--config', config, 'import'])
    expect(imported.body.added, imported.stderr).toBe(7)
    pixiv.reply('104755001', okReply('illust-single', '104755001'))
    pixiv.reply('110203040', okReply('illust-pages', '110203040'))
    pixiv.reply('3001', deletedReply())
    pixiv.reply('3002', restrictedReply())
    pixiv.reply('3003', { status: 500, body: '' })
    pixiv.requests.length = 0
  })

  it('prints one summary document, reports what failed on stderr, and the metadata is searchable', async () => {
    const { code, body, stderr } = await runCliJson<PixivRunSummary>(['--config', config, 'pixiv'])
    expect(code, stderr).toBe(0)
    expect(body).toEqual({ works: 5, done: 5, ok: 2, deleted: 1, restricted: 1, failed: 1, requests: 6, propagated: 1, interrupted: false })
    expect(stderr).toContain('pixiv 3001: deleted (該当作品は削除されたか、存在しない作品IDです。)')
    expect(stderr).toContain('pixiv 3003: failed (HTTP 500, 2 attempts)')
    expect(pixiv.count('110203040')).toBe(1)

    expect(await search('bookmarks;>100')).toEqual(['3011223_104755001_p0.png'])
    expect(await search('bookmarks', 'bookmarks;1, path;1')).toEqual(['110203040_p0.png', '110203040_p1.png', '3011223_104755001_p0.png'])
    expect(await search('bookmarks', 'bookmarks, path;1')).toEqual(['3011223_104755001_p0.png', '110203040_p0.png', '110203040_p1.png'])
    expect(await search('mt;rain | mt;manga')).toEqual(['110203040_p0.png', '110203040_p1.png', '3011223_104755001_p0.png'])
    expect(await search('username;=しずく')).toEqual(['3011223_104755001_p0.png', '3011223_3001_p0.png'])

    const plain = await runCli(['--config', config, 'pixiv'])
    expect(plain.code).toBe(0)
    expect(plain.stdout).toBe('')
    expect(plain.stderr).toContain('1 of 1 works: 0 ok, 0 deleted, 0 restricted, 1 failed (2 requests); 0 images got a user name')
  })

  it('asks again about deleted and restricted works only with --retry-failed, within --limit', async () => {
    await runCliJson(['--config', config, 'pixiv'])
    pixiv.requests.length = 0
    pixiv.reply('3002', okReply('illust-single', '3002'))
    const limited = await runCliJson<PixivRunSummary>(['--config', config, 'pixiv', '--retry-failed', '--limit', '1'])
    expect(limited.body).toMatchObject({ works: 1, done: 1 })
    const { body } = await runCliJson<PixivRunSummary>(['--config', config, 'pixiv', '--retry-failed'])
    // 3001 (deleted again) and 3002 (visible now) are asked about once; 3003 (still 500) in both runs if the first took it.
    expect(body.works).toBe(3 - limited.body.ok - limited.body.deleted)
    expect([pixiv.count('3001'), pixiv.count('3002')]).toEqual([1, 1])
    expect([limited.body.ok + body.ok, limited.body.deleted + body.deleted, body.failed]).toEqual([1, 1, 1])
    expect(await search('title;=雨宿り')).toEqual(['3002_p0.png', '3011223_104755001_p0.png'])
  })

  it.each([
    [['--limit', 'abc'], /--limit must be a whole number from 1 to 10000000, got "abc"/],
    [['--limit', '0'], /--limit must be a whole number/],
    [['--retry'], /unknown option '--retry'/],
  ])('rejects %j with exit 2', async (args, message) => {
    const { code, body } = await runCliJson<{ error: { message: string } }>(['--config', config, 'pixiv', ...args])
    expect(code).toBe(2)
    expect(body.error.message).toMatch(message)
    expect(pixiv.requests).toEqual([])
  })

  it('stops cleanly on Ctrl-C: exit 130, an interrupted summary, the work left pending', async () => {
    pixiv.reply('104755001', { ...okReply('illust-single', '104755001'), hang: true })
    const child = spawn(process.execPath, [CLI, '--config', config, 'pixiv', '--json'], { cwd: ROOT, env: { ...process.env, SAGASU_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    await eventually(async () => (pixiv.count('104755001') > 0 ? true : undefined), 30_000, 'the first request')
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    const interrupted = JSON.parse(stdout) as PixivRunSummary
    expect(interrupted).toMatchObject({ works: 5, interrupted: true })
    expect(interrupted.done).toBeLessThan(5)
    pixiv.release()
    // The work whose request was cut off was not recorded: the next run asks about it.
    pixiv.reply('104755001', okReply('illust-single', '104755001'))
    const { body } = await runCliJson<PixivRunSummary>(['--config', config, 'pixiv'])
    expect(body.works).toBe(5 - interrupted.done + interrupted.failed)
    expect(await search('bookmarks;>100')).toEqual(['3011223_104755001_p0.png'])
  })
})
