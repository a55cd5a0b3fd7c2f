import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SearchPage, SearchResult } from '../shared/types/api'
import { runCli, runCliJson } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { eventually, startServer, type RunningServer } from './helpers/server'

/**
 * A library laid out as each downloader writes it by default (the layouts in
 * workers/stages/filenames/builtin-layouts.ts cite each tool's source), imported by a real server
 * and searched over HTTP; then the same library under a user template, re-parsed at the next start
 * and by `sagasu reparse`, which reads no file.
 */
const TWEET = '1657890123456789012'
const MD5 = '8d819da4871c3ca39f428999df8220ce'
const SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

const TREE = [
  'gallery-dl/pixiv/1234567 shizuku_art/98765432_p0.png',
  'gallery-dl/pixiv/1234567 shizuku_art/55555 夏の シリーズ/001_98765433_p0.png',
  'gallery-dl/pixiv/bookmarks/7654321 collector/98765434_p0.png',
  `gallery-dl/twitter/shizuku_art/${TWEET}_2.png`,
  `gallery-dl/yandere/long_hair/yandere_1123456_${MD5}.png`,
  'gallery-dl/danbooru/long_hair/danbooru_4567890_0123456789abcdef0123456789abcdef.png',
  'Downloads/pixiv/しずく🌸 art-1234567/98765435_p1-夏／冬.png',
  'Downloads/pixiv/しずく🌸 art-1234567/98765436-うごイラ.gif',
  'PixivUtil2/Name (Circle) (2345678)/111111111_p2 - タイトル.png',
  'Pictures/pixez/しずく_1234567/98765437_p0.png',
  `Twitter/twitter_しずく (Ｓ)(@ab_12)_20230514-213045_${TWEET}_photo-1.png`,
  'Twitter/ab_12-1657890123456789013-20230515_063045-img3.png',
  'yande.re%20999999%20sample%20long_hair%20seifuku.png',
  `__platinum_arknights_drawn_by_okita__${'fd7202c44752af8d9b3d5348fb30b561'}.png`,
  `hydrus/${SHA256}.png`,
  'custom/2345678 しずく/222222222-3.png',
]


let dir: string
let lib: string
let server: RunningServer | undefined

async function search(query: string): Promise<SearchResult[]> {
  const response = await fetch(`${server!.url}/api/search?limit=200&q=${encodeURIComponent(query)}`)
  expect(response.status).toBe(200)
  return ((await response.json()) as SearchPage).results
}

const byPath = (results: SearchResult[], path: string) => results.find((result) => result.path === path)

beforeEach(async () => {
  dir = tempDir()
  lib = join(dir, 'lib')
  for (const [index, path] of TREE.entries()) {
    mkdirSync(join(lib, path, '..'), { recursive: true })
    await writeImage(join(lib, path), { color: colorOf(index + 1), format: path.endsWith('.gif') ? 'gif' : 'png' })
  }
})

afterEach(async () => {
  await server?.stop()
  server = undefined
})

describe('downloader layouts, end to end', () => {
  it('imports a tree as each tool writes it, searches it, and re-parses it after a change to filenames', { timeout: 240_000 }, async () => {
    const config = { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' }
    writeConfig(dir, config)
    server = await startServer(['--config', join(dir, 'sagasu.config.yaml')])

    const all = await search('')
    expect(all).toHaveLength(TREE.length)
    const pixiv = await search('type;=pixiv')
    expect(byPath(pixiv, TREE[0]!)).toMatchObject({ illustid: '98765432', page: 0, userid: '1234567' })
    expect(byPath(pixiv, TREE[1]!)).toMatchObject({ illustid: '98765433', userid: '1234567' })
    // the bookmarks folder names who bookmarked, not the artist
    expect(byPath(pixiv, TREE[2]!)?.userid).toBeUndefined()
    expect(byPath(pixiv, TREE[6]!)).toMatchObject({ illustid: '98765435', page: 1, userid: '1234567', username: 'しずく🌸 art' })
    expect(byPath(pixiv, TREE[7]!)).toMatchObject({ illustid: '98765436', page: 0, userid: '1234567' })
    expect(byPath(pixiv, TREE[8]!)).toMatchObject({ illustid: '111111111', page: 2, userid: '2345678', username: 'Name (Circle)' })
    expect(byPath(pixiv, TREE[9]!)).toMatchObject({ illustid: '98765437', userid: '1234567', username: 'しずく' })
    expect((await search('userid;=1234567, type;=pixiv')).map((r) => r.path).sort()).toEqual([TREE[0], TREE[1], TREE[6], TREE[7], TREE[9]].sort())

    const twitter = await search('type;=twitter')
    expect(byPath(twitter, TREE[3]!)).toMatchObject({ userid: 'shizuku_art', tweetid: TWEET, page: 1 })
    expect(byPath(twitter, TREE[10]!)).toMatchObject({ userid: 'ab_12', username: 'しずく (Ｓ)', tweetid: TWEET, page: 1, date: Date.UTC(2023, 4, 14, 21, 30, 45) })
    expect(byPath(twitter, TREE[11]!)).toMatchObject({ userid: 'ab_12', tweetid: '1657890123456789013', page: 2 })

    const yandere = await search('type;=yandere')
    expect(byPath(yandere, TREE[4]!)).toMatchObject({ postid: '1123456', md5: MD5 })
    expect(byPath(yandere, TREE[12]!)).toMatchObject({ postid: '999999', tags1: ['long_hair', 'seifuku'] })
    expect((await search('tags1:sample')).length).toBe(0)

    const danbooru = await search('type;=danbooru')
    expect(danbooru.map((r) => r.path).sort()).toEqual([TREE[5], TREE[13]].sort())
    expect(byPath(danbooru, TREE[5]!)).toMatchObject({ postid: '4567890', md5: '0123456789abcdef0123456789abcdef' })
    expect(byPath(danbooru, TREE[13]!)).toMatchObject({ username: 'okita', md5: 'fd7202c44752af8d9b3d5348fb30b561' })
    expect(byPath(danbooru, TREE[13]!)?.postid).toBeUndefined()
    expect((await search(`md5;=${MD5}`)).map((r) => r.path)).toEqual([TREE[4]])

    const other = (await search('type;=other')).map((r) => r.path).sort()
    expect(other).toEqual([TREE[14], TREE[15]].sort())
    await server.stop()

    // A template for the custom folder: the next start re-parses the index by itself.
    writeConfig(dir, { ...config, filenames: [{ template: 'custom/{member_id} {artist}/{illust_id}-{part}.{ext}', type: 'pixiv' }] })
    server = await startServer(['--config', join(dir, 'sagasu.config.yaml')])
    const custom = await eventually(async () => byPath(await search('type;=pixiv'), TREE[15]!), 30_000, 'the custom folder re-parsed')
    expect(custom).toMatchObject({ illustid: '222222222', page: 3, userid: '2345678', username: 'しずく' })
    expect(server.output()).toContain('re-read the names of 16 images, 1 changed')
    await server.stop()
    server = undefined

    // `sagasu reparse` reads no file: a record whose file is gone keeps it, re-parsed from its path.
    rmSync(join(lib, 'custom'), { recursive: true })
    writeConfig(dir, { ...config, filenames: [{ template: 'custom/{member_id} {artist}/{illust_id}-{page_number}.{ext}', type: 'pixiv' }] })
    const reparsed = await runCliJson<{ checked: number; changed: number }>(['--config', join(dir, 'sagasu.config.yaml'), 'reparse'])
    expect(reparsed.code, reparsed.stderr).toBe(0)
    expect(reparsed.body).toEqual({ checked: 16, changed: 1, interrupted: false })
    const { body } = await runCliJson<SearchPage>(['--config', join(dir, 'sagasu.config.yaml'), 'search', '--query', 'illustid;=222222222'])
    expect(body.results).toHaveLength(1)
    expect(body.results[0]).toMatchObject({ path: TREE[15], page: 2 })
  })

  it('refuses a template it cannot compile, naming the key and the position, and changes nothing', { timeout: 60_000 }, async () => {
    writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', filenames: [{ template: '{user}-{user_id}/{id}_p{page', type: 'pixiv' }] })
    const result = await runCli(['--config', join(dir, 'sagasu.config.yaml'), 'reparse'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('filenames.0.template: unbalanced "{": no "}" closes it at position 24')
    const unknown = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', filenames: [{ template: '{user}/{illust}', type: 'pixiv' }] })
    const second = await runCli(['--config', unknown, 'import'])
    expect(second.code).toBe(2)
    expect(second.stderr).toMatch(/filenames\.0\.template: unknown placeholder "illust" .*at position 8/)
  })
})
