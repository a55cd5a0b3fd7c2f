/**
 * The HTTP API with the servers profile's MongoDB down: requests answer 503 naming MongoDB (never
 * a bare 500), and the server keeps running; GET /api/health reports each backend's state, up or
 * down, and always answers 200. Needs `npx nuxt build`.
 */
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HealthReport } from '../shared/types/api'
import { CLI, ROOT } from './helpers/cli'
import { startFerretDb, type FerretDbServer } from './helpers/ferretdb'
import { tempDir, writeConfig } from './helpers/library'
import { startMilvus, type MilvusTestServer } from './helpers/milvus'
import { freePort, startServer, type RunningServer } from './helpers/server'

describe('HTTP API with MongoDB unreachable', () => {
  let url: string
  let mongoPort: number
  let milvusPort: number
  let stop: () => Promise<void>
  let output = ''

  beforeAll(async () => {
    const dir = tempDir()
    mongoPort = await freePort()
    milvusPort = await freePort()
    const port = await freePort()
    const config = writeConfig(dir, {
      dataDir: dir,
      store: { profile: 'servers', servers: { mongodb: { url: `mongodb://127.0.0.1:${mongoPort}`, timeoutSeconds: 0.5 }, milvus: { address: `127.0.0.1:${milvusPort}` } } },
    })
    const child = spawn(process.execPath, [CLI, '--config', config, 'serve', '--port', String(port)], {
      cwd: ROOT, env: { ...process.env, SAGASU_CONFIG: '', SAGASU_MODELS: 'none' }, stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout.on('data', (chunk: Buffer) => (output += chunk))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk))
    stop = async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    url = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 60_000
    while (!/first import failed|store not ready/.test(output)) {
      if (child.exitCode !== null) throw new Error(`server exited:\n${output}`)
      if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }, 90_000)
  afterAll(() => stop?.())

  it('answers a search with 503 and a message naming MongoDB', async () => {
    const response = await fetch(`${url}/api/search?${new URLSearchParams({ q: 'tags.long_hair' })}`)
    expect(response.status).toBe(503)
    const body = (await response.json()) as { error: { message: string } }
    expect(body.error.message).toContain(`MongoDB at mongodb://127.0.0.1:${mongoPort} is unavailable`)
  })

  it('still answers the health check, which says full text falls back to MongoDB without Meilisearch', async () => {
    const response = await fetch(`${url}/api/health`)
    expect(response.status).toBe(200)
    const body = (await response.json()) as HealthReport
    expect(body.profile).toBe('servers')
    expect(body.capabilities).toMatchObject({ fullTextIndex: 'mongodb regex', vectorIndex: 'milvus' })
    expect(body.capabilities.fullTextReason).toMatch(/slower MongoDB regex match/)
  })

  it('reports MongoDB and Milvus down in the health check, each with the reason', async () => {
    const response = await fetch(`${url}/api/health`)
    expect(response.status).toBe(200)
    const { backends } = (await response.json()) as HealthReport
    expect(Object.keys(backends).sort()).toEqual(['milvus', 'mongodb'])
    expect(backends.mongodb).toEqual({ ok: false, reason: expect.stringMatching(new RegExp(`^not answering at mongodb://127\\.0\\.0\\.1:${mongoPort}: .*ECONNREFUSED`)) })
    expect(backends.milvus).toEqual({ ok: false, reason: expect.stringContaining(`not answering at 127.0.0.1:${milvusPort}`) })
  })

  it('answers other routes with 503 naming the backend in the status text', async () => {
    for (const path of ['/api/stats', '/api/tags?prefix=a', '/api/errors']) {
      const response = await fetch(`${url}${path}`)
      expect(response.status, path).toBe(503)
      expect(response.statusText, path).toBe('MongoDB unavailable')
    }
    expect(output).toContain('MongoDB at ')
  })
})

describe('GET /api/health with the servers profile\'s backends up, then down', () => {
  let ferret: FerretDbServer
  let milvus: MilvusTestServer
  let server: RunningServer

  beforeAll(async () => {
    ;[ferret, milvus] = await Promise.all([startFerretDb(), startMilvus()])
    const dir = tempDir()
    mkdirSync(join(dir, 'lib'))
    const config = writeConfig(dir, {
      dataDir: join(dir, 'data'),
      folders: [{ name: 'lib', path: join(dir, 'lib') }],
      store: { profile: 'servers', servers: { mongodb: { url: ferret.url, database: 'health', timeoutSeconds: 1 }, milvus: { address: milvus.address } } },
    })
    server = await startServer(['--config', config], { waitFor: /library up to date|first import failed|store not ready/ })
  }, 300_000)

  afterAll(async () => {
    await server?.stop()
    await Promise.all([ferret?.stop(), milvus?.dispose()])
  }, 60_000)

  const health = async (): Promise<HealthReport> => {
    const response = await fetch(`${server.url}/api/health`)
    expect(response.status).toBe(200)
    return (await response.json()) as HealthReport
  }

  it('reports MongoDB and Milvus ok while they answer', async () => {
    expect((await health()).backends).toEqual({ mongodb: { ok: true }, milvus: { ok: true } })
  })

  it('reports Milvus down once it stops, and MongoDB down once it stops too', async () => {
    await milvus.stop()
    const withoutMilvus = (await health()).backends
    expect(withoutMilvus.mongodb).toEqual({ ok: true })
    expect(withoutMilvus.milvus).toEqual({ ok: false, reason: expect.stringContaining(`not answering at ${milvus.address}`) })
    await ferret.stop()
    const withoutBoth = (await health()).backends
    expect(withoutBoth.mongodb).toEqual({ ok: false, reason: expect.stringContaining(`not answering at ${ferret.url}`) })
    expect(withoutBoth.milvus).toMatchObject({ ok: false })
  }, 90_000)
})
