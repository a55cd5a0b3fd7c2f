/**
 * The HTTP API with the servers profile's MongoDB down: requests answer 503 naming MongoDB (never
 * a bare 500), and the server keeps running. Needs `npx nuxt build`.
 */
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, ROOT } from './helpers/cli'
import { tempDir, writeConfig } from './helpers/library'
import { freePort } from './helpers/server'

describe('HTTP API with MongoDB unreachable', () => {
  let url: string
  let mongoPort: number
  let stop: () => Promise<void>
  let output = ''

  beforeAll(async () => {
    const dir = tempDir()
    mongoPort = await freePort()
    const port = await freePort()
    const config = writeConfig(dir, { dataDir: dir, store: { profile: 'servers', servers: { mongodb: { url: `mongodb://127.0.0.1:${mongoPort}`, timeoutSeconds: 0.5 } } } })
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
    const body = (await response.json()) as { profile: string; capabilities: Record<string, unknown> }
    expect(body.profile).toBe('servers')
    expect(body.capabilities).toMatchObject({ fullTextIndex: 'mongodb regex', vectorIndex: 'milvus' })
    expect(body.capabilities.fullTextReason).toMatch(/slower MongoDB regex match/)
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
