import { readdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HealthReport } from '../../shared/types/api'
import type { ImageInput, ImageRecord } from '../../shared/types/image'
import { tempDir } from '../../test/helpers/library'
import { promptSearchSchema } from '../http/prompt-search-request'
import { configSchema } from '../../config/schema'
import { pixivFetchRequestSchema } from '../http/pixiv-request'
import { searchRequestSchema } from '../http/search-request'
import { createPixivJob } from '../../workers/pixiv/pixiv-job'
import type { AndNode } from '../query/ast'
import { explainSearch } from '../search/explain-search'
import { searchImages } from '../search/search-images'
import { openSqliteStore } from '../store/embedded/sqlite-store'
import type { Store } from '../store/store'
import { openApiDocument, resolvePointer, schemaProblems } from './openapi-document'

const SERVER = fileURLToPath(new URL('..', import.meta.url))
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const

const document = openApiDocument('1.2.3')
const paths = document.paths as Record<string, Record<string, { responses?: Record<string, unknown>; parameters?: unknown[]; requestBody?: unknown; security?: unknown[] }>>

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? filesUnder(path) : entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

/**
 * Nitro's file routing as OpenAPI: `[id]` → `{id}`, `[...path]` → `{path}`, a nameless catch-all
 * `[...]` → `{path}`, `index` → the folder,
 * `.get` / `.post` suffixes → that method, no suffix → GET and HEAD (the handlers answer both).
 */
function routeOf(file: string, root: string, prefix: string): { path: string; methods: string[] } {
  let name = relative(root, file).split(sep).join('/').replace(/\.ts$/, '')
  const suffix = /\.(get|head|post|put|patch|delete|options)$/.exec(name)
  if (suffix) name = name.slice(0, -suffix[0].length)
  const segments = name.split('/').filter((segment, i, all) => !(segment === 'index' && i === all.length - 1))
  const parameter = (segment: string) => (segment === '[...]' ? '{path}' : segment.replace(/^\[(?:\.\.\.)?(.+)\]$/, '{$1}'))
  const path = `${prefix}/${segments.map(parameter).join('/')}`.replace(/\/$/, '') || '/'
  return { path, methods: suffix ? [suffix[1]!] : ['get', 'head'] }
}

function routeFiles(): Array<{ file: string; path: string; methods: string[] }> {
  return [
    ...filesUnder(join(SERVER, 'api')).map((file) => ({ file, ...routeOf(file, join(SERVER, 'api'), '/api') })),
    ...filesUnder(join(SERVER, 'routes')).map((file) => ({ file, ...routeOf(file, join(SERVER, 'routes'), '') })),
  ]
}

function operations(): Array<{ path: string; method: string; operation: (typeof paths)[string][string] }> {
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ path, method, operation: item[method]! })),
  )
}

/** Every `$ref` in a value, with where it was found. */
function refs(value: unknown, at = '#'): Array<{ ref: string; at: string }> {
  if (Array.isArray(value)) return value.flatMap((item, i) => refs(item, `${at}/${i}`))
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([key, item]) => (key === '$ref' && typeof item === 'string' ? [{ ref: item, at }] : refs(item, `${at}/${key}`)))
}

/** The schema of a component, checked against a value: no problems expected. */
function expectMatches(schema: string, value: unknown): void {
  expect(schemaProblems(document, { $ref: `#/components/schemas/${schema}` }, value), schema).toEqual([])
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with info, and JSON through and through', () => {
    expect(document.openapi).toBe('3.1.0')
    expect(document.info).toMatchObject({ title: 'Sagasu HTTP API', version: '1.2.3' })
    expect(JSON.parse(JSON.stringify(document))).toEqual(document)
  })

  it('gives every operation responses, each with a description (or a $ref to one)', () => {
    expect(operations().length).toBeGreaterThan(10)
    for (const { path, method, operation } of operations()) {
      const responses = Object.entries(operation.responses ?? {})
      expect(responses.length, `${method} ${path}`).toBeGreaterThan(0)
      for (const [status, response] of responses) {
        expect(status, `${method} ${path}`).toMatch(/^[1-5]\d\d$/)
        const resolved = (response as { $ref?: string }).$ref ? resolvePointer(document, (response as { $ref: string }).$ref) : response
        expect((resolved as { description?: string }).description, `${method} ${path} ${status}`).toBeTruthy()
      }
    }
  })

  it('resolves every $ref', () => {
    const found = refs(document)
    expect(found.length).toBeGreaterThan(50)
    for (const { ref, at } of found) expect(resolvePointer(document, ref), `${ref} at ${at}`).toBeDefined()
  })

  it('declares every path parameter of every path', () => {
    for (const { path, method, operation } of operations()) {
      const declared = (operation.parameters ?? [])
        .map((p) => ((p as { $ref?: string }).$ref ? resolvePointer(document, (p as { $ref: string }).$ref) : p) as { name: string; in: string; required?: boolean })
        .filter((p) => p.in === 'path')
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
      expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual(templated.sort())
      for (const parameter of declared) expect(parameter.required, `${method} ${path} ${parameter.name}`).toBe(true)
    }
  })

  it('documents every route file, and no route that has no file', () => {
    const routes = routeFiles()
    expect(routes.map((r) => r.path)).toEqual(expect.arrayContaining(['/api/search', '/api/images/{id}', '/files/{folder}/{path}', '/openapi.json', '/docs']))
    const expected = routes.flatMap(({ path, methods }) => methods.map((method) => `${method.toUpperCase()} ${path}`)).sort()
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`).sort()
    expect(documented).toEqual(expected)
  })

  it('lists 400, 401 and 404 where they can occur', () => {
    for (const { path, method, operation } of operations()) {
      const statuses = Object.keys(operation.responses ?? {})
      const name = `${method.toUpperCase()} ${path}`
      // The token check answers 401 on every route but the login, which answers it for a wrong token.
      expect(statuses, name).toContain('401')
      // Whatever takes input can reject it (the login answers a bad body with 401, the catch-all only 404s).
      const takesInput = (operation.parameters?.length ?? 0) > 0 || operation.requestBody
      if (takesInput && name !== 'POST /api/login' && path !== '/api/{path}') expect(statuses, name).toContain('400')
      if (path.includes('{')) expect(statuses, name).toContain('404')
    }
    expect(Object.keys(paths['/files/{folder}/{path}']!.get!.responses!)).toEqual(expect.arrayContaining(['200', '206', '304', '400', '401', '403', '404', '416']))
  })

  it('describes the token as bearer, header and cookie, optional unless a token is set', () => {
    expect(document.components.securitySchemes).toMatchObject({
      bearerToken: { type: 'http', scheme: 'bearer' },
      tokenHeader: { type: 'apiKey', in: 'header', name: 'X-Sagasu-Token' },
      sessionCookie: { type: 'apiKey', in: 'cookie', name: 'sagasu_token' },
    })
    expect(document.security).toEqual([{ bearerToken: [] }, { tokenHeader: [] }, { sessionCookie: [] }, {}])
    expect(paths['/api/login']!.post!.security).toEqual([])
    expect(document.info.description).toContain('only when the server has a token')
  })

  it('takes the search parameters from the schema the routes validate with', () => {
    const keys = Object.keys(searchRequestSchema.shape).sort()
    expect(Object.keys((document.components.schemas.SearchRequest as { properties: object }).properties).sort()).toEqual(keys)
    const get = (paths['/api/search']!.get!.parameters ?? []).map((p) => resolvePointer(document, (p as { $ref: string }).$ref) as { name: string; in: string })
    expect(get.map((p) => p.name).sort()).toEqual(keys)
    expect(get.every((p) => p.in === 'query')).toBe(true)
    expect(document.components.schemas.SearchRequest).toMatchObject({ additionalProperties: false, properties: { limit: { minimum: 1, maximum: 500, default: 50 } } })
  })

  it('takes the prompt-search parameters from the schema the route validates with', () => {
    const parameters = (paths['/api/prompts/search']!.get!.parameters ?? []) as Array<{ name: string; in: string; required: boolean; schema: object }>
    expect(parameters.map((p) => p.name).sort()).toEqual(Object.keys(promptSearchSchema.shape).sort())
    expect(parameters.find((p) => p.name === 'q')).toMatchObject({ in: 'query', required: true, schema: { type: 'string', maxLength: 1000 } })
    expect(parameters.find((p) => p.name === 'l')).toMatchObject({ required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 20 } })
  })
})

describe('the schemas hold real values', () => {
  let dir: string
  let store: Store

  const base: ImageInput = {
    folder: 'lib', path: 'a.png', filename: 'a.png', ext: 'png', filesize: 10, mtime: 1000, hash: '0123456789abcdef',
    width: 100, height: 50, format: 'png', animated: false, frames: 1, type: 'other',
  }

  beforeAll(async () => {
    dir = tempDir()
    store = openSqliteStore(dir)
    const full = await store.saveImage({
      ...base, path: 'y.jpg', filename: 'y.jpg', ext: 'jpg', format: 'jpeg', hash: 'fedcba9876543210', type: 'yandere', postid: '9', tags1: ['a', 'b'], date: 5000,
      ai: { source: 'a1111', prompt: '1girl', negativePrompt: 'lowres', seed: 42, steps: 20, cfg: 7, sampler: 'Euler a', model: 'anything', extra: { size: '512x512' }, raw: 'raw' },
    })
    await store.setTags(full, [{ name: 'long_hair', category: 'general', score: 0.9 }, { name: 'frieren', category: 'character', score: 0.8 }])
    await store.setOcrText(full, 'ありがとう')
    await store.saveImage({ ...base, path: '1_2_p0.png', filename: '1_2_p0.png', hash: '00000000000000aa', type: 'pixiv', illustid: '2', userid: '1', page: 0 })
    await store.savePixivWork('2', {
      status: 'ok', requests: 1,
      work: { illustid: '2', title: 't', description: 'a<br />b', userId: '1', userName: 'u', createDate: 1000, views: 3, likes: 2, bookmarks: 1, comments: 0, tags: [{ tag: 'オリジナル', translation: 'original' }, { tag: '雨' }] },
    })
    await store.saveImage(base)
    await store.recordError({ folder: 'lib', path: 'bad.png', stage: 'probe', reason: 'not an image', level: 'error' })
  })
  afterAll(() => store.close())

  it('Image: a record with every optional field, and one with none', async () => {
    const records = (await searchImages(store, { limit: 10 })).results
    expect(records).toHaveLength(3)
    for (const record of records) expectMatches('Image', record)
    const full = records.find((r) => r.type === 'yandere')!
    expect(Object.keys(full)).toEqual(expect.arrayContaining(['ai', 'tags', 'text', 'tags1', 'date', 'postid']))
    expect(Object.keys(records.find((r) => r.type === 'pixiv')!)).toEqual(expect.arrayContaining(['pixiv', 'username', 'date', 'tags1']))
    expect(schemaProblems(document, { $ref: '#/components/schemas/Image' }, { ...full, pixiv: { illustid: '2' } })).not.toEqual([])
    const typed: ImageRecord = { ...full, illustid: '1', page: 1, userid: 'u', username: 'n', tweetid: 't' }
    expectMatches('Image', typed)
    expect(schemaProblems(document, { $ref: '#/components/schemas/Image' }, { ...full, hash: 'XYZ' })).not.toEqual([])
    expect(schemaProblems(document, { $ref: '#/components/schemas/Image' }, { ...full, width: undefined })).not.toEqual([])
  })

  it('SearchPage, with and without a next cursor', async () => {
    const first = await searchImages(store, { limit: 1, sort: 'filesize;1' })
    expect(first.nextCursor).toEqual(expect.any(String))
    expectMatches('SearchPage', first)
    expectMatches('SearchPage', await searchImages(store, { limit: 1, cursor: first.nextCursor!, sort: 'filesize;1' }))
    const last = await searchImages(store, { limit: 500 })
    expect(last.nextCursor).toBeNull()
    expectMatches('SearchPage', last)
  })

  it('Explain, for a query using every kind of node', async () => {
    const explanation = await explainSearch(store, '(tags.long_hair;>=0.5 | tags.*_hair), !tags1:x, |tags1:a, |tags1:b, width;>10&<=2000, date;>2020, animated, m;ありがとう, !(type;=pixiv)', 'filesize;1, added')
    expectMatches('Explain', explanation)
    expect((explanation.ast as AndNode).children.map((c) => c.type)).toEqual(['or', 'tags1', 'tags1', 'compare', 'compare', 'exists', 'text', 'not'])
    expectMatches('Explain', await explainSearch(store))
  })

  it('Stats, TagList, ErrorList, Error', async () => {
    const charts = await store.charts(15)
    expect(charts.topTags.length).toBeGreaterThan(0)
    expect(charts.byMonth.length).toBeGreaterThan(0)
    expectMatches('Stats', { ...(await store.stats()), charts })
    expect(schemaProblems(document, { $ref: '#/components/schemas/Stats' }, await store.stats())).not.toEqual([])
    const tags = await store.suggestTags('', 20)
    expect(tags.length).toBeGreaterThan(0)
    expectMatches('TagList', { tags })
    const errors = await store.listErrors()
    expectMatches('ErrorList', { total: errors.length, errors })
    expectMatches('Error', { error: { message: 'unknown field "widht"', position: 0, hint: 'did you mean "width"?' } })
    expectMatches('Error', { error: { message: 'no image with id 9' } })
    expect(schemaProblems(document, { $ref: '#/components/schemas/Error' }, { message: 'flat' })).not.toEqual([])
  })

  it('PromptSearchPage (seeds as integers and as digit strings), PromptStats', async () => {
    const comfy = await store.saveImage({
      ...base, path: 'comfy.png', filename: 'comfy.png', hash: '00000000000000bb',
      ai: { source: 'comfyui', prompt: '1girl, snow', extra: { seed: '18446744073709551614' }, raw: '{}' },
    })
    const page = await store.searchPrompts({ query: '1girl', limit: 1 })
    expect(page.nextOffset).toBe(1)
    expectMatches('PromptSearchPage', page)
    const all = await store.searchPrompts({ query: '1girl', limit: 10 })
    expect(all.results.map((hit) => hit.seed).sort()).toEqual([42, '18446744073709551614'].sort())
    expectMatches('PromptSearchPage', all)
    expect(schemaProblems(document, { $ref: '#/components/schemas/PromptHit' }, { ...all.results[0], seed: 'abc' })).not.toEqual([])
    expect(schemaProblems(document, { $ref: '#/components/schemas/PromptHit' }, { ...all.results[0], seed: 1.5 })).not.toEqual([])
    expectMatches('PromptSearchPage', await store.searchPrompts({ query: 'nothing', limit: 10 }))
    const stats = await store.promptStats()
    expect(stats.steps).not.toBeNull()
    expectMatches('PromptStats', stats)
    expectMatches('PromptStats', { ...stats, steps: null, cfg: null })
    await store.removeImages([comfy])
  })

  it('PixivJobStatus, PixivFetchRequest', async () => {
    const config = configSchema.parse({ dataDir: dir })
    const job = createPixivJob({ config, store, worker: 'test/1', log: () => {} })
    const idle = await job.status()
    expectMatches('PixivJobStatus', idle)
    expect(idle).toMatchObject({ running: false, startedAt: null, lastError: null, library: { works: 1, ok: 1 } })
    expectMatches('PixivJobStatus', { ...idle, running: true, total: 3, done: 1, startedAt: 5, lastError: { illustid: '7', message: 'deleted: gone', at: 6 } })
    expectMatches('PixivJobStatus', { ...idle, propagated: 2, finishedAt: 9, lastError: { illustid: null, message: 'disk full', at: 6 } })
    expect(schemaProblems(document, { $ref: '#/components/schemas/PixivJobStatus' }, { ...idle, lastError: { message: 'x' } })).not.toEqual([])
    expectMatches('PixivFetchRequest', {})
    expectMatches('PixivFetchRequest', { limit: 10, retryFailed: true })
    for (const bad of [{ limit: 0 }, { limit: 1.5 }, { retryFailed: 'yes' }, { other: 1 }]) {
      expect(schemaProblems(document, { $ref: '#/components/schemas/PixivFetchRequest' }, bad), JSON.stringify(bad)).not.toEqual([])
      expect(pixivFetchRequestSchema.safeParse(bad).success).toBe(false)
    }
  })

  it('HealthReport', () => {
    const capabilities = { search: true, thumbnails: true, aiMetadata: true, watch: false, demoLibrary: true, clip: false, tagger: false, ocr: false }
    expectMatches('HealthReport', { name: 'sagasu', version: '0.1.0', profile: 'embedded', capabilities, backends: { sqlite: { ok: true } } })
    const servers: HealthReport = {
      name: 'sagasu', version: '0.1.0', profile: 'servers', capabilities,
      backends: { mongodb: { ok: true }, milvus: { ok: false, reason: 'not answering at 127.0.0.1:19530: 14 UNAVAILABLE' }, meilisearch: { ok: true } },
    }
    expectMatches('HealthReport', servers)
    const schema = { $ref: '#/components/schemas/HealthReport' }
    for (const backends of [{ milvus: { ok: false } }, { milvus: { ok: true, reason: 'x' } }, { mongodb: { ok: 'yes' } }]) {
      expect(schemaProblems(document, schema, { ...servers, backends }), JSON.stringify(backends)).not.toEqual([])
    }
    expect(schemaProblems(document, schema, Object.fromEntries(Object.entries(servers).filter(([key]) => key !== 'backends')))).toContain('$: missing "backends"')
  })
})
