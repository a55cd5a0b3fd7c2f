import { randomBytes } from 'node:crypto'
import { linkSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { startLinkSwapper } from './helpers/link-swapper'
import { eventually, startServer, type RunningServer } from './helpers/server'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  cut?: boolean
}

function get(base: string, path: string, headers: Record<string, string> = {}, options: { method?: string; agent?: Agent } = {}): Promise<Answer> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: options.method ?? 'GET', headers, agent: options.agent }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      // Cut short (the length announced was another file's): what arrived is still checked.
      res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), cut: true }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** A GET whose client goes away as soon as the first bytes of the body arrive. */
function abandon(base: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers }, (res) => {
      res.once('data', () => {
        req.destroy()
        resolve(res.statusCode ?? 0)
      })
    })
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)))
    req.end()
  })
}

/** The files the server process holds open, by their paths. */
function openFiles(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`)
    } catch {
      return ''
    }
  })
}

describe('sending files from the folders', () => {
  let dir: string
  let lib: string
  let server: RunningServer
  let image: Buffer
  let big: Buffer
  const secret = Buffer.from('root:x:0:0:TOP-SECRET-OUTSIDE-THE-FOLDER\n')

  beforeAll(async () => {
    dir = tempDir()
    lib = join(dir, 'lib')
    image = await writeImage(join(lib, 'a.png'), { color: colorOf(1), width: 80, height: 60 })
    // Bigger than what the sockets between the two processes buffer, so an abandoned GET is cut mid-file.
    big = randomBytes(24 * 1024 * 1024)
    writeFileSync(join(lib, 'big.png'), big)
    writeFileSync(join(dir, 'passwd'), secret)
    // Only files are served here: no import, no watcher.
    const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' })
    server = await startServer(['--config', config], { env: { SAGASU_WATCH: 'false' }, waitFor: /Listening/ })
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('never sends the target of a link swapped in while the file is asked for', { timeout: 180_000 }, async () => {
    writeFileSync(join(dir, 'image.png'), image)
    linkSync(join(dir, 'image.png'), join(lib, 'x.png'))
    const swapper = await startLinkSwapper(lib, 'x.png', join(dir, 'image.png'), join(dir, 'passwd'))
    const agent = new Agent({ keepAlive: true, maxSockets: 8 })
    const statuses = new Map<number, number>()
    const leaks: string[] = []
    try {
      let next = 0
      const total = 3000
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next < total) {
          const n = next++
          const answer = await get(server.url, '/files/lib/x.png', n % 3 === 0 ? { range: 'bytes=0-' } : {}, { agent })
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
          if (answer.body.equals(secret) || answer.body.includes('TOP-SECRET')) leaks.push(`${answer.status} ${String(answer.headers['content-type'])}`)
          else if (answer.cut) leaks.push(`${answer.status} cut short`)
          else if (answer.status === 200 || answer.status === 206) {
            if (!answer.body.equals(image) || answer.headers['content-type'] !== 'image/png') leaks.push(`${answer.status} with other bytes`)
          } else if (answer.status !== 403 && answer.status !== 404) leaks.push(`status ${answer.status}`)
        }
      }))
    } finally {
      await swapper.stop()
      agent.destroy()
    }
    expect(leaks).toEqual([])
    // Both sides of the race were met, or it proved nothing.
    expect((statuses.get(200) ?? 0) + (statuses.get(206) ?? 0)).toBeGreaterThan(0)
    expect(statuses.get(403) ?? 0).toBeGreaterThan(0)
  })

  it('sends the whole file when If-Range names another version (RFC 9110 §13.1.5)', async () => {
    const full = await get(server.url, '/files/lib/a.png')
    const etag = full.headers.etag as string
    const modified = full.headers['last-modified'] as string
    const range = { range: 'bytes=0-7' }
    for (const [validator, status] of [
      [etag, 206], [modified, 206],
      ['"0-0"', 200], [`W/${etag}`, 200], [new Date(Date.parse(modified) - 60_000).toUTCString(), 200], ['not a validator', 200],
    ] as const) {
      const answer = await get(server.url, '/files/lib/a.png', { ...range, 'if-range': validator })
      expect(answer.status, validator).toBe(status)
      expect(answer.body.equals(status === 206 ? image.subarray(0, 8) : image), validator).toBe(true)
    }
  })

  it('closes the file on every way out: body, HEAD, 304, 416, a client that goes away', { timeout: 120_000 }, async () => {
    const pid = server.process.pid!
    const path = '/files/lib/big.png'
    const full = await get(server.url, path)
    expect(full.status).toBe(200)
    expect(full.body.equals(big)).toBe(true)
    expect((await get(server.url, path, {}, { method: 'HEAD' })).status).toBe(200)
    expect((await get(server.url, path, { 'if-none-match': full.headers.etag as string })).status).toBe(304)
    expect((await get(server.url, path, { range: `bytes=${big.length}-` })).status).toBe(416)
    expect((await get(server.url, path, { range: 'bytes=5-9' })).body.equals(big.subarray(5, 10))).toBe(true)
    for (let i = 0; i < 5; i++) {
      expect(await abandon(server.url, path)).toBe(200)
      expect(await abandon(server.url, path, { range: 'bytes=1000-' })).toBe(206)
    }
    await eventually(async () => (openFiles(pid).some((file) => file.startsWith(lib)) ? undefined : true), 20_000, () => `the server to close the files it sent: ${openFiles(pid).filter((file) => file.startsWith(lib)).join(', ')}`)
  })
})

describe('a folder configured as /', () => {
  let dir: string
  let server: RunningServer
  let image: Buffer

  beforeAll(async () => {
    dir = tempDir()
    image = await writeImage(join(dir, 'pics/b.png'), { color: colorOf(2) })
    // No import and no watcher: the whole disk is a folder here.
    const config = writeConfig(dir, { folders: [{ name: 'all', path: '/' }], dataDir: './data' })
    server = await startServer(['--config', config], { env: { SAGASU_WATCH: 'false' }, waitFor: /Listening/ })
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('serves a file under it, and still refuses traversal', async () => {
    const path = `/files/all/${join(dir, 'pics/b.png').slice(1).split('/').map(encodeURIComponent).join('/')}`
    const answer = await get(server.url, path)
    expect(answer.status, answer.body.toString()).toBe(200)
    expect(answer.body.equals(image)).toBe(true)
    expect((await get(server.url, `/files/all/${join(dir, 'pics').slice(1)}/..%2fpics/b.png`)).status).toBe(400)
  })
})
