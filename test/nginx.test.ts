import { mkdirSync, readFileSync, statSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderNginxConf } from '../config/nginx-conf'
import type { SearchPage } from '../shared/types/api'
import { ROOT, runCli } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { checkNginxConf, startNginx, type RunningNginx } from './helpers/nginx'
import { freePort, startServer, type RunningServer } from './helpers/server'

/** A GET with the path sent exactly as written (fetch would resolve `..` and `%2e%2e` itself). */
function rawStatus(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    request({ hostname, port, path }, (response) => {
      response.resume()
      resolve(response.statusCode!)
    }).on('error', reject).end()
  })
}

/** The ETag nginx's static module gives a file: mtime in seconds and size, in hex (the app's differs). */
function nginxEtag(path: string): string {
  const info = statSync(path)
  return `"${Math.floor(info.mtimeMs / 1000).toString(16)}-${info.size.toString(16)}"`
}

describe('nginx in front of Sagasu', () => {
  let dir: string
  let server: RunningServer
  let nginx: RunningNginx | undefined
  let proxy: string
  const original = 'sub dir/ねこ #1.png'

  beforeAll(async () => {
    dir = tempDir()
    await writeImage(join(dir, 'lib', original), { color: colorOf(1), width: 200, height: 120 })
    await writeImage(join(dir, 'lib', 'b.png'), { color: colorOf(2) })
    await writeImage(join(dir, 'secret.png'), { color: colorOf(3) })
    const port = await freePort()
    const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', server: { port } })
    server = await startServer(['--config', config])

    nginx = await startNginx(config, server.url.replace('http://', ''), dir)
    expect(nginx.rendered.code, nginx.rendered.stderr).toBe(0)
    const check = checkNginxConf(nginx)
    expect(check.status, check.stderr).toBe(0)
    expect(check.stderr).toContain('test is successful')
    proxy = nginx.url
  })

  afterAll(async () => {
    await nginx?.stop()
    await server?.stop()
  })

  it('passes the API and the web app through to Sagasu', async () => {
    const page = await (await fetch(`${proxy}/api/search?q=${encodeURIComponent('width;=64')}`)).json() as SearchPage
    expect(page.total).toBe(1)
    const html = await fetch(`${proxy}/`, { headers: { accept: 'text/html' } })
    expect(html.status).toBe(200)
    expect(await html.text()).toContain('/_nuxt/')
  })

  it('serves an original from disk (nginx, not the app) with its cache headers', async () => {
    const { results } = await (await fetch(`${proxy}/api/search?q=${encodeURIComponent('width;=200')}`)).json() as SearchPage
    const image = results[0]!
    const url = `/files/lib/${image.path.split('/').map(encodeURIComponent).join('/')}`
    const response = await fetch(`${proxy}${url}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('etag')).toBe(nginxEtag(join(dir, 'lib', original)))
    expect(response.headers.get('cache-control')).toBe('private, max-age=3600')
    expect(response.headers.get('content-type')).toBe('image/png')
    expect(response.headers.get('x-accel-redirect')).toBeNull()
    expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(join(dir, 'lib', original)))).toBe(true)
  })

  it('serves a thumbnail from disk with the immutable cache headers', async () => {
    const { results } = await (await fetch(`${proxy}/api/search?q=${encodeURIComponent('width;=64')}`)).json() as SearchPage
    const hash = results[0]!.hash
    const response = await fetch(`${proxy}/thumbs/${hash}.webp`)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(response.headers.get('content-type')).toBe('image/webp')
    expect(response.headers.get('etag')).toBe(nginxEtag(join(dir, 'data', 'thumbs', hash.slice(0, 2), `${hash}.webp`)))
  })

  it('keeps the app\'s checks: nothing outside the folders, no way into the internal locations', async () => {
    expect(await rawStatus(proxy, '/files/lib/..%2fsecret.png')).toBe(400)
    expect(await rawStatus(proxy, '/files/lib/%2e%2e/secret.png')).not.toBe(200)
    expect((await fetch(`${proxy}/files/nosuch/b.png`)).status).toBe(404)
    expect((await fetch(`${proxy}/_sagasu/files/lib/b.png`)).status).toBe(404)
    expect((await fetch(`${proxy}/_sagasu/thumbs/`)).status).toBe(404)
    // A client asking the app for a redirect through nginx on another path gets none.
    const health = await fetch(`${proxy}/api/health`, { headers: { 'x-sagasu-accel': '/_sagasu' } })
    expect(health.status).toBe(200)
  })

  it('keeps nginx.conf at the top level in step with what `sagasu nginx-conf` renders', () => {
    const example = renderNginxConf({
      folders: [{ name: 'pixiv', path: '/srv/pictures/pixiv', recursive: true }, { name: 'twitter', path: '/srv/pictures/twitter', recursive: true }],
      dataDir: '/var/lib/sagasu',
      upstream: '127.0.0.1:3000',
      listen: '8080',
    })
    expect(readFileSync(join(ROOT, 'nginx.conf'), 'utf8')).toBe(example)
  })

  it('refuses a path nginx would misread', async () => {
    const odd = tempDir()
    mkdirSync(join(odd, 'a$b'))
    const config = writeConfig(odd, { folders: [{ name: 'odd', path: './a$b' }], dataDir: './data' })
    const result = await runCli(['--config', config, 'nginx-conf'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('folder "odd": nginx cannot serve the path')
  })
})
