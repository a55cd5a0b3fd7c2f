import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SearchPage } from '../shared/types/api'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import { runCli, runCliJson } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { eventually, startServer, type RunningServer } from './helpers/server'

/** Five images with tags and OCR text written straight into the store the server then reads. */
const LIBRARY = [
  { name: '1_101_p0.png', tags: { long_hair: 0.95, red_hair: 0.8, 'rating:general': 0.9 }, ocr: 'ありがとう' },
  { name: '1_101_p1.png', tags: { long_hair: 0.5, blue_hair: 0.7, 'rating:general': 0.9 }, ocr: 'Thank you very much' },
  { name: '2_202_p0.png', tags: { short_hair: 0.9, blue_hair: 0.9, 'rating:sensitive': 0.6 } },
  { name: 'yande.re 7 school_uniform long_hair.png', tags: { long_hair: 0.7, school_uniform: 0.99 } },
  { name: 'other.png', tags: {} },
]

describe('the query language over HTTP and the CLI', () => {
  let dir: string
  let config: string
  let server: RunningServer

  const search = async (params: Record<string, string>) => {
    const response = await fetch(`${server.url}/api/search?${new URLSearchParams(params)}`)
    return { status: response.status, body: (await response.json()) as SearchPage & { error?: { message: string; position: number } } }
  }
  const names = (page: SearchPage) => page.results.map((r) => r.filename)

  beforeAll(async () => {
    dir = tempDir()
    for (const [i, image] of LIBRARY.entries()) await writeImage(join(dir, 'lib', image.name), { color: colorOf(i), width: 100 + i * 100 })
    config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' })
    expect((await runCliJson(['--config', config, 'import'])).code).toBe(0)
    const store = openSqliteStore(join(dir, 'data'))
    for (const image of LIBRARY) {
      const record = (await store.findByPath('lib', image.name))!
      await store.setTags(record.id, Object.entries(image.tags).map(([name, score]) => ({ name, score, category: name.startsWith('rating:') ? 'rating' as const : 'general' as const })))
      if (image.ocr) await store.setOcrText(record.id, image.ocr)
    }
    await store.close()
    server = await startServer(['--config', config])
  })

  afterAll(async () => {
    await server?.stop()
  })

  it.each([
    ['tags.long_hair', ['1_101_p0.png', '1_101_p1.png', 'yande.re 7 school_uniform long_hair.png']],
    ['tags.long_hair;>=0.7', ['1_101_p0.png', 'yande.re 7 school_uniform long_hair.png']],
    ['!tags.long_hair', ['2_202_p0.png', 'other.png']],
    ['(tags.red_hair | tags.short_hair)', ['1_101_p0.png', '2_202_p0.png']],
    ['tags.*_hair;>0.85', ['1_101_p0.png', '2_202_p0.png']],
    ['tags.long_hair, !tags1:school_uniform, userid;=1', ['1_101_p0.png', '1_101_p1.png']],
    ['tags1:school_uniform, tags1:long_hair', ['yande.re 7 school_uniform long_hair.png']],
    // PxIMSE's forms as its code reads them (issue 19).
    ['|tags1:nothing_here, |tags1:school_uniform', ['yande.re 7 school_uniform long_hair.png']],
    ["userid;='1'", ['1_101_p0.png', '1_101_p1.png']],
    ['illustid;="7"', ['yande.re 7 school_uniform long_hair.png']],
    ['type;=pixiv1, !type;=pixiv1', []],
    ['textlen;<10', ['1_101_p0.png']],
    ['likeCount;=null, m', ['1_101_p0.png', '1_101_p1.png']],
    ['m;ありがとう', ['1_101_p0.png']],
    ['m;THANK', ['1_101_p1.png']],
    ['m', ['1_101_p0.png', '1_101_p1.png']],
    ['width;>=300&<500, type;=pixiv', ['2_202_p0.png']],
    ['illustid;=101, page;=1', ['1_101_p1.png']],
  ])('%s', async (q, expected) => {
    const { status, body } = await search({ q, limit: '50', sort: 'filename;1' })
    expect(status).toBe(200)
    expect(names(body)).toEqual(expected)
    expect(body.total).toBe(expected.length)
  })

  it('pages with cursors over the whole result, stable while new images arrive', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    let page = 0
    do {
      const { body }: { body: SearchPage } = await search({ limit: '2', sort: 'width;1', ...(cursor ? { cursor } : {}) })
      expect(body.total).toBeGreaterThanOrEqual(5)
      seen.push(...names(body))
      cursor = body.nextCursor
      if (page++ === 0) {
        // An import adds an image between pages; the pages already under way do not shift.
        await writeImage(join(dir, 'lib', 'late.png'), { color: colorOf(9), width: 50 })
        await eventually(async () => ((await search({ q: 'filename;=late.png' })).body.total === 1 ? true : undefined))
      }
    } while (cursor)
    expect(seen).toEqual(['1_101_p0.png', '1_101_p1.png', '2_202_p0.png', 'yande.re 7 school_uniform long_hair.png', 'other.png'])
  })

  it('answers POST with the same results as GET, and refuses foreign or broken cursors', async () => {
    const get = await search({ q: 'tags.blue_hair', sort: 'id;1', limit: '1' })
    const post = await fetch(`${server.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ q: 'tags.blue_hair', sort: 'id;1', limit: 1 }) })
    const postBody = (await post.json()) as SearchPage
    expect(postBody).toEqual(get.body)
    const foreign = await search({ q: 'tags.long_hair', sort: 'id;1', limit: '1', cursor: get.body.nextCursor! })
    expect(foreign.status).toBe(400)
    expect(foreign.body.error?.message).toContain('another query')
    expect((await search({ cursor: 'garbage!' })).status).toBe(400)
    const badBody = await fetch(`${server.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"q": ' })
    expect(badBody.status).toBe(400)
  })

  it('reports a bad query with its position and a hint', async () => {
    const { status, body } = await search({ q: 'tags.long_hair, widht;>3' })
    expect(status).toBe(400)
    expect(body.error).toMatchObject({ position: 16, hint: expect.stringContaining('width') })
  })

  it("sorts by a tag's score, highest first, the images without it last (issue 19)", async () => {
    const { status, body } = await search({ q: '', sort: 'tags.long_hair;-1' })
    expect(status).toBe(200)
    expect(names(body).slice(0, 3)).toEqual(['1_101_p0.png', 'yande.re 7 school_uniform long_hair.png', '1_101_p1.png'])
    // Every image, the tagged ones first (another test of this file adds images).
    expect(names(body)).toHaveLength(body.total)
    const ascending = await search({ q: 'tags.long_hair', sort: 'tags.long_hair;1', limit: '1' })
    expect(names(ascending.body)).toEqual(['1_101_p1.png'])
    const next = await search({ q: 'tags.long_hair', sort: 'tags.long_hair;1', limit: '5', cursor: ascending.body.nextCursor! })
    expect(names(next.body)).toEqual(['yande.re 7 school_uniform long_hair.png', '1_101_p0.png'])
  })

  it.each([
    [{ q: "userid;='1" }, 8, 'unterminated single quote'],
    [{ q: 'tags.a, likes;>null' }, 14, 'null is compared with = or !=, not ">"'],
    [{ q: 'm;=null' }, 2, 'm; searches the text: it has no null test'],
    [{ q: 'date;>2000-13-01 12:00' }, 11, '"2000-13-01 12:00" is not a date'],
    [{ q: '', sort: 'added, tags.long_hiar;-1' }, 7, 'no image has the tag "long_hiar" to sort by'],
  ])('answers %j with a 400 at its position (issue 19)', async (params, position, message) => {
    const { status, body } = await search(params)
    expect(status).toBe(400)
    expect(body.error).toMatchObject({ position, message })
  })

  it('explains a query clause by clause', async () => {
    const response = await fetch(`${server.url}/api/search/explain?${new URLSearchParams({ q: 'tags.long_hair, type;=twitter' })}`)
    const explain = (await response.json()) as { query: string; total: number; clauses: Array<{ text: string; matches: number }>; compiled: { language: string }; mongo: { filter: object } }
    expect(explain.total).toBe(0)
    expect(explain.clauses).toEqual([
      { text: 'tags.long_hair', span: { start: 0, end: 14 }, matches: 3 },
      { text: 'type;=twitter', span: { start: 16, end: 29 }, matches: 0 },
    ])
    expect(explain.compiled.language).toBe('sql')
    expect(JSON.stringify(explain.mongo.filter)).toContain('tagNames')
  })

  it('suggests tags by prefix with counts and categories', async () => {
    const response = await fetch(`${server.url}/api/tags?prefix=rat&limit=5`)
    expect(await response.json()).toEqual({ tags: [{ name: 'rating:general', category: 'rating', count: 2 }, { name: 'rating:sensitive', category: 'rating', count: 1 }] })
    expect((await fetch(`${server.url}/api/tags?limit=0`)).status).toBe(400)
  })

  it('prints the AST and MongoDB form with sagasu parse, and exits 2 on a bad query', async () => {
    const ok = await runCliJson<{ ast: { type: string; children: unknown[] }; mongo: { filter: object; sort: object } }>(['parse', 'tags.long_hair;>=0.8, width;>1000', '--sort', 'filesize;1'])
    expect(ok.code).toBe(0)
    expect(ok.body.ast.children).toHaveLength(2)
    expect(ok.body.mongo.sort).toEqual({ filesize: 1, id: -1 })
    const bad = await runCliJson<{ error: { message: string; position: number; hint?: string } }>(['parse', 'width;>abc'])
    expect(bad.code).toBe(2)
    expect(bad.body.error.position).toBe(7)
    const searched = await runCliJson<SearchPage>(['--config', config, 'search', '--query', '(tags.red_hair | tags.short_hair)', '--sort', 'filename;-1'])
    expect(searched.body.results.map((r) => r.filename)).toEqual(['2_202_p0.png', '1_101_p0.png'])
    expect((await runCli(['--config', config, 'search', '--query', 'nope;=1'])).code).toBe(2)
  })
})
