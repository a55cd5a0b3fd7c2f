import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SearchPage } from '../shared/types/api'
import type { PromptSearchPage, PromptStats } from '../shared/types/prompt'
import { openApiDocument, resolvePointer, schemaProblems } from '../server/openapi/openapi-document'
import { tempDir } from './helpers/library'
import { startServer, type RunningServer } from './helpers/server'

const TOKEN = 'openapi-test-token-0123456789'

describe('/openapi.json and /docs on the built server', () => {
  let server: RunningServer
  let document: Record<string, unknown>

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}`, ...headers } })

  /** The schema a documented response uses for JSON, from the served document. */
  function responseSchema(path: string, method: string, status: number): unknown {
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>
    let response = paths[path]?.[method]?.responses[String(status)] as { $ref?: string; content?: Record<string, { schema: unknown }> } | undefined
    if (response?.$ref) response = resolvePointer(document, response.$ref) as typeof response
    const schema = response?.content?.['application/json']?.schema
    if (!schema) expect.fail(`${method.toUpperCase()} ${path} documents no JSON ${status}`)
    return schema
  }

  /** Fetches, expects the status, and holds the body to the documented schema of that status. */
  async function expectDocumented(request: string, path: string, method: string, status: number, init: RequestInit = {}): Promise<unknown> {
    const response = await fetch(`${server.url}${request}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string> | undefined) } })
    expect(response.status, request).toBe(status)
    const body: unknown = await response.json()
    expect(schemaProblems(document, responseSchema(path, method, status), body), `${method.toUpperCase()} ${request}`).toEqual([])
    return body
  }

  beforeAll(async () => {
    // No folders: the server generates the demo library (pixiv, Twitter, yande.re and AI-generated files).
    server = await startServer(['--data-dir', tempDir()], { env: { SAGASU_TOKEN: TOKEN }, token: TOKEN })
    const response = await get('/openapi.json')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('application/json')
    document = (await response.json()) as Record<string, unknown>
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('serves the OpenAPI document with every route, behind the token', async () => {
    expect(document.openapi).toBe('3.1.0')
    const health = (await (await get('/api/health')).json()) as { version: string }
    expect((document.info as { version: string }).version).toBe(health.version)
    expect(Object.keys(document.paths as object).sort()).toEqual(Object.keys(openApiDocument('x').paths).sort())
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(401)
  })

  it('serves /docs as HTML that loads Swagger UI and the init script, with no inline script', async () => {
    const response = await get('/docs', { accept: 'text/html' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/html')
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'")
    const html = await response.text()
    for (const asset of ['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/init.js']) expect(html).toContain(asset)
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    expect((await fetch(`${server.url}/docs`, { headers: { accept: 'text/html' } })).status).toBe(401)
  })

  it('serves the Swagger UI files and the init script (static, like the web app\'s own files)', async () => {
    const bundle = await fetch(`${server.url}/docs/assets/swagger-ui-bundle.js`)
    expect(bundle.status).toBe(200)
    expect(bundle.headers.get('content-type')).toContain('javascript')
    expect(await bundle.text()).toContain('SwaggerUIBundle')
    const css = await fetch(`${server.url}/docs/assets/swagger-ui.css`)
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toContain('text/css')
    const init = await fetch(`${server.url}/docs/init.js`)
    expect(init.status).toBe(200)
    expect(await init.text()).toContain("url: '/openapi.json'")
  })

  it('answers health, stats and errors as documented', async () => {
    await expectDocumented('/api/health', '/api/health', 'get', 200)
    const stats = (await expectDocumented('/api/stats', '/api/stats', 'get', 200)) as { images: number }
    expect(stats.images).toBeGreaterThan(10)
    await expectDocumented('/api/errors', '/api/errors', 'get', 200)
    const pixiv = (await expectDocumented('/api/pixiv/status', '/api/pixiv/status', 'get', 200)) as { running: boolean; library: { works: number } }
    expect(pixiv.running).toBe(false)
    expect(pixiv.library.works).toBeGreaterThan(0)
    await expectDocumented('/api/health', '/api/health', 'get', 401, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })
  })

  it('answers search, paging, explain, tags and images as documented', async () => {
    const first = (await expectDocumented('/api/search?limit=5&sort=filesize%3B1', '/api/search', 'get', 200)) as SearchPage
    expect(first.results).toHaveLength(5)
    expect(first.nextCursor).toEqual(expect.any(String))
    const next = (await expectDocumented(`/api/search?limit=5&sort=filesize%3B1&cursor=${encodeURIComponent(first.nextCursor!)}`, '/api/search', 'get', 200)) as SearchPage
    expect(next.results[0]!.id).not.toBe(first.results[0]!.id)
    const all = (await expectDocumented('/api/search?limit=500', '/api/search', 'get', 200)) as SearchPage
    expect(all.nextCursor).toBeNull()
    expect(all.results.some((image) => image.ai)).toBe(true)
    const body = JSON.stringify({ q: 'type;=pixiv | type;=yandere', sort: 'width;1', limit: 3 })
    await expectDocumented('/api/search', '/api/search', 'post', 200, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
    await expectDocumented(`/api/search/explain?${new URLSearchParams({ q: 'type;=pixiv, !animated, width;>=100&<=4000', sort: 'filesize;1' })}`, '/api/search/explain', 'get', 200)
    await expectDocumented('/api/tags?prefix=a&limit=100', '/api/tags', 'get', 200)
    await expectDocumented(`/api/images/${first.results[0]!.id}`, '/api/images/{id}', 'get', 200)
  })

  it('answers prompt search and prompt stats as documented', async () => {
    const stats = (await expectDocumented('/api/prompts/stats', '/api/prompts/stats', 'get', 200)) as PromptStats
    expect(stats.withAiParameters).toBeGreaterThan(0)
    const page = (await expectDocumented('/api/prompts/search?q=masterpiece%20OR%20hair*&l=200', '/api/prompts/search', 'get', 200)) as PromptSearchPage
    expect(page.results.length).toBeGreaterThan(0)
    await expectDocumented('/api/prompts/search?q=masterpiece%20OR%20hair*&l=1&offset=1', '/api/prompts/search', 'get', 200)
    await expectDocumented('/api/prompts/search?q=%3Clora', '/api/prompts/search', 'get', 400)
    await expectDocumented('/api/prompts/search?q=cat&l=201', '/api/prompts/search', 'get', 400)
    await expectDocumented('/api/prompts/search?q=cat&bogus=1', '/api/prompts/search', 'get', 400)
  })

  it('answers bad requests with the documented error bodies and statuses', async () => {
    const error = (await expectDocumented(`/api/search?${new URLSearchParams({ q: 'widht;>1' })}`, '/api/search', 'get', 400)) as { error: { position: number; hint: string } }
    expect(error.error).toMatchObject({ position: 0, hint: expect.stringContaining('width') })
    await expectDocumented('/api/search?limit=501', '/api/search', 'get', 400)
    await expectDocumented('/api/search?bogus=1', '/api/search', 'get', 400)
    await expectDocumented('/api/search', '/api/search', 'post', 400, { method: 'POST', body: '{"q": ', headers: { 'content-type': 'application/json' } })
    await expectDocumented(`/api/search/explain?${new URLSearchParams({ q: '(width;>1' })}`, '/api/search/explain', 'get', 400)
    await expectDocumented('/api/tags?limit=101', '/api/tags', 'get', 400)
    await expectDocumented('/api/images/abc', '/api/images/{id}', 'get', 400)
    await expectDocumented('/api/images/999999', '/api/images/{id}', 'get', 404)
    await expectDocumented('/api/nosuch', '/api/{path}', 'get', 404)
    await expectDocumented('/thumbs/not-a-hash', '/thumbs/{hash}', 'get', 400)
    await expectDocumented('/thumbs/0123456789abcdef', '/thumbs/{hash}', 'get', 404)
    await expectDocumented('/files/nope/x.png', '/files/{folder}/{path}', 'get', 404)
    // Only bad bodies here: a valid one would start asking the real pixiv.net.
    await expectDocumented('/api/pixiv/fetch', '/api/pixiv/fetch', 'post', 400, { method: 'POST', body: '{"limit": -1}', headers: { 'content-type': 'application/json' } })
    await expectDocumented('/api/pixiv/fetch', '/api/pixiv/fetch', 'post', 400, { method: 'POST', body: '{"limit"', headers: { 'content-type': 'application/json' } })
    await expectDocumented('/api/login', '/api/login', 'post', 401, { method: 'POST', body: '{"token":"nope"}', headers: { 'content-type': 'application/json' } })
  })
})
