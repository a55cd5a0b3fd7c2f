import { spawn } from 'node:child_process'
import { request } from 'node:http'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HealthReport, SearchPage } from '../shared/types/api'
import type { ImageRecord } from '../shared/types/image'
import { ROOT, runCli, runCliJson } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { eventually, freePort, startServer, type RunningServer } from './helpers/server'

/** A raw GET: fetch() would normalise `..` out of the path before sending it. */
function rawGet(url: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('sagasu serve', () => {
  let dir: string
  let server: RunningServer
  let image: ImageRecord
  let original: Buffer
  const secret = 'TOP-SECRET-CONTENT'

  beforeAll(async () => {
    dir = tempDir()
    const lib = join(dir, 'lib')
    original = await writeImage(join(lib, 'sub dir/12345_98765432_p0.png'), { color: colorOf(1), width: 320, height: 200 })
    await writeImage(join(lib, 'ありがとう #1?.png'), { color: colorOf(2) })
    await writeImage(join(lib, 'png-named.jpg'), { color: colorOf(3) })
    writeFileSync(join(dir, 'secret.png'), secret)
    writeFileSync(join(dir, 'passwd'), secret)
    symlinkSync(join(dir, 'secret.png'), join(lib, 'escape.png'))
    mkdirSync(join(dir, 'lib2'))
    const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }, { name: 'lib2', path: './lib2' }], dataDir: './data' })
    server = await startServer(['--config', config])
    const page = (await (await fetch(`${server.url}/api/search?q=type;=pixiv`)).json()) as SearchPage
    image = page.results[0]!
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('reports health, stats, an image and a search page', async () => {
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as HealthReport
    expect(health).toMatchObject({ name: 'sagasu', profile: 'embedded', capabilities: { search: true } })
    expect(health.version).toMatch(/^\d+\.\d+\.\d+/)
    const stats = (await (await fetch(`${server.url}/api/stats`)).json()) as { images: number; byType: Record<string, number> }
    expect(stats).toMatchObject({ images: 3, byType: { pixiv: 1, other: 2 } })
    const one = (await (await fetch(`${server.url}/api/images/${image.id}`)).json()) as ImageRecord
    expect(one).toMatchObject({ id: image.id, path: 'sub dir/12345_98765432_p0.png', width: 320, height: 200, illustid: '98765432' })
    const page = (await (await fetch(`${server.url}/api/search?limit=1&sort=filesize;1`)).json()) as SearchPage
    expect(page.total).toBe(3)
    expect(page.results).toHaveLength(1)
  })

  it('answers bad requests with 400 or 404 and a message, never a 500', async () => {
    for (const [path, status] of [
      ['/api/images/abc', 400], ['/api/images/99999', 404], ['/api/images/-1', 400],
      ['/api/search?limit=0', 400], ['/api/search?limit=501', 400], ['/api/search?limit=x', 400], ['/api/search?offset=-3', 400],
      ['/api/search?q=nosuch;=1', 400], ['/api/search?q=width;>abc', 400], ['/api/search?sort=width;2', 400], ['/api/search?bogus=1', 400],
      ['/thumbs/not-a-hash', 400], ['/thumbs/0123456789abcdef', 404], ['/files/nope/x.png', 404],
    ] as const) {
      const response = await rawGet(server.url, path)
      expect(response.status, path).toBe(status)
      expect((JSON.parse(response.body.toString()) as { error: { message: string } }).error.message, path).toBeTruthy()
    }
  })

  it('serves originals with ETag, 304 and Range', async () => {
    const path = `/files/lib/${encodeURIComponent('sub dir')}/12345_98765432_p0.png`
    const full = await rawGet(server.url, path)
    expect(full.status).toBe(200)
    expect(full.headers['content-type']).toBe('image/png')
    expect(full.body.equals(original)).toBe(true)
    const etag = full.headers.etag as string
    expect((await rawGet(server.url, path, { 'if-none-match': etag })).status).toBe(304)
    const part = await rawGet(server.url, path, { range: 'bytes=8-15' })
    expect(part.status).toBe(206)
    expect(part.headers['content-range']).toBe(`bytes 8-15/${original.length}`)
    expect(part.body.equals(original.subarray(8, 16))).toBe(true)
    const suffix = await rawGet(server.url, path, { range: 'bytes=-4' })
    expect(suffix.body.equals(original.subarray(-4))).toBe(true)
    expect((await rawGet(server.url, path, { range: `bytes=${original.length}-` })).status).toBe(416)
    const japanese = await rawGet(server.url, `/files/lib/${encodeURIComponent('ありがとう #1?.png')}`)
    expect(japanese.status).toBe(200)
    const head = await rawGet(server.url, path, {}, 'HEAD')
    expect(head.status).toBe(200)
    expect(head.headers['content-length']).toBe(String(original.length))
    expect(head.body.length).toBe(0)
  })

  it('labels an original by its content, not its extension', async () => {
    const misnamed = await rawGet(server.url, '/files/lib/png-named.jpg')
    expect(misnamed.status).toBe(200)
    expect(misnamed.headers['content-type']).toBe('image/png')
  })

  it('answers unknown API routes and methods with a JSON 404, not the web app', async () => {
    for (const [path, method] of [['/api/nope', 'GET'], ['/api/stats', 'DELETE'], ['/api/search/nope', 'POST']] as const) {
      const response = await rawGet(server.url, path, {}, method)
      expect(response.status, `${method} ${path}`).toBe(404)
      expect((JSON.parse(response.body.toString()) as { error: { message: string } }).error.message).toContain('no API route')
    }
  })

  it('serves thumbnails by content hash as WebP', async () => {
    const thumb = await rawGet(server.url, `/thumbs/${image.hash}.webp`)
    expect(thumb.status).toBe(200)
    expect(thumb.headers['content-type']).toBe('image/webp')
    expect(thumb.headers['cache-control']).toContain('immutable')
    expect(thumb.body.subarray(8, 12).toString()).toBe('WEBP')
  })

  it('refuses every traversal form and never leaks a file outside the folders', async () => {
    const attempts = [
      '/files/lib/../secret.png', '/files/lib/../../etc/passwd', '/files/lib/..%2fsecret.png', '/files/lib/%2e%2e/secret.png',
      '/files/lib/%2e%2e%2fsecret.png', '/files/lib/%252e%252e/secret.png', '/files/lib/%252e%252e%252fsecret.png',
      '/files/lib/..%5csecret.png', '/files/lib/%2fetc%2fpasswd', `/files/lib/${encodeURIComponent(join(dir, 'secret.png'))}`,
      '/files/lib/escape.png', '/files/lib2/..%2flib%2f..%2fsecret.png', '/files/lib/sub%20dir/..%2f..%2fsecret.png',
      '/files/lib/%00.png', '/files/lib/%E0%A4%A.png', '/files/lib/./escape.png', '/files/..%2f/secret.png', '/files/%2e%2e/secret.png',
    ]
    for (const path of attempts) {
      const response = await rawGet(server.url, path)
      expect([400, 403, 404], path).toContain(response.status)
      expect(response.body.toString(), path).not.toContain(secret)
    }
  })

  it('sends security headers and serves the web app', async () => {
    const page = await rawGet(server.url, '/', { accept: 'text/html' })
    expect(page.status).toBe(200)
    expect(page.body.toString()).toContain('<div id="__nuxt">')
    expect(page.headers['x-content-type-options']).toBe('nosniff')
  })
})

describe('server token', () => {
  it('refuses to listen beyond loopback without a token', async () => {
    const dir = tempDir()
    const config = writeConfig(dir, { folders: [], dataDir: './data' })
    const result = await runCli(['--config', config, 'serve', '--host', '0.0.0.0', '--port', '1'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('refusing to listen on 0.0.0.0')
    const json = await runCliJson<{ error: { message: string } }>(['--config', config, 'serve', '--host', '::'])
    expect(json.code).toBe(2)
  })

  it('with a token, answers 401 without it and serves with it (header or cookie)', async () => {
    const dir = tempDir()
    await writeImage(join(dir, 'lib', 'a.png'))
    const token = 'correct-horse-battery-staple'
    const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', server: { token } })
    const server = await startServer(['--config', config], { token })
    try {
      for (const path of ['/api/health', '/api/search', '/files/lib/a.png', '/thumbs/0123456789abcdef', '/']) {
        expect((await rawGet(server.url, path)).status, path).toBe(401)
        expect((await rawGet(server.url, path, { authorization: 'Bearer wrong-token-wrong-token' })).status, path).toBe(401)
      }
      const page = await rawGet(server.url, '/jobs?x=1', { accept: 'text/html' })
      expect(page.status).toBe(302)
      expect(page.headers.location).toBe('/login?next=%2Fjobs%3Fx%3D1')
      expect((await rawGet(server.url, '/login', { accept: 'text/html' })).status).toBe(200)
      const html = await rawGet(server.url, '/docs', { accept: 'text/html' })
      expect(html.status).toBe(401)
      expect(html.body.toString()).toContain('<form method="post" action="/api/login">')
      expect((await rawGet(server.url, '/api/health', { authorization: `Bearer ${token}` })).status).toBe(200)
      expect((await rawGet(server.url, '/files/lib/a.png', { 'x-sagasu-token': token })).status).toBe(200)

      const wrong = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'nope' }) })
      expect(wrong.status).toBe(401)
      const login = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) })
      expect(login.status).toBe(200)
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!
      expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/i)
      // The cookie proves a login without being the token itself.
      expect(cookie).not.toContain(token)
      expect((await rawGet(server.url, '/api/stats', { cookie: `sagasu_token=${token}` })).status).toBe(401)
      expect((await rawGet(server.url, '/api/stats', { cookie })).status).toBe(200)
    } finally {
      await server.stop()
    }
  })

  it('keeps the built server on loopback when it is started directly without a host', async () => {
    const dir = tempDir()
    const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', watch: { enabled: false } })
    mkdirSync(join(dir, 'lib'))
    const port = await freePort()
    const env: NodeJS.ProcessEnv = { ...process.env, SAGASU_CONFIG: config, NITRO_PORT: String(port) }
    delete env.NITRO_HOST
    delete env.HOST
    const child = spawn(process.execPath, [join(ROOT, '.output/server/index.mjs')], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk))
    try {
      await eventually(async () => (/Listening on/.test(output) ? true : undefined), 30_000, 'the server to listen')
      expect(output).toContain(`Listening on http://127.0.0.1:${port}`)
    } finally {
      child.kill('SIGKILL')
    }
  })
})
