import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SettingsReport } from '../shared/types/settings'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { startServer, type RunningServer } from './helpers/server'

/** HEAD through node:http, which (unlike fetch) shows whether any body bytes came back. */
function head(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: number }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'HEAD' }, (response) => {
      let bytes = 0
      response.on('data', (chunk: Buffer) => (bytes += chunk.length))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes }))
    })
    request.on('error', reject)
    request.end()
  })
}

describe('HEAD, wrong methods and control characters', () => {
  let dir: string
  let configFile: string
  let server: RunningServer

  beforeAll(async () => {
    dir = tempDir()
    await writeImage(join(dir, 'lib', 'a.png'), { color: colorOf(1) })
    configFile = writeConfig(dir, {
      folders: [{ name: 'lib', path: './lib' }],
      dataDir: './data',
      models: { clip: { enabled: false }, tagger: { enabled: false }, ocr: { enabled: false } },
    })
    server = await startServer(['--config', configFile])
  }, 120_000)

  afterAll(async () => {
    await server?.stop()
  })

  it('answers HEAD on a GET API route like GET, without a body', async () => {
    for (const path of ['/api/health', '/api/search?q=', '/api/stats', '/api/settings', '/openapi.json', '/docs']) {
      const get = await fetch(`${server.url}${path}`)
      const answer = await head(`${server.url}${path}`)
      expect(answer.status, path).toBe(get.status)
      expect(answer.status, path).toBe(200)
      expect(answer.headers['content-type'], path).toBe(get.headers.get('content-type'))
      expect(answer.bytes, path).toBe(0)
    }
    // The job event stream never ends; its HEAD still answers at once.
    const events = await head(`${server.url}/api/jobs/events`)
    expect(events.status).toBe(200)
    expect(events.headers['content-type']).toBe('text/event-stream')
    const bad = await head(`${server.url}/api/search?q=${encodeURIComponent('(')}`)
    expect(bad.status).toBe(400)
    expect((await head(`${server.url}/api/nothing-here`)).status).toBe(404)
  })

  it('answers other methods on /openapi.json and /docs with a JSON 405 naming GET and HEAD', async () => {
    for (const [method, path] of [['DELETE', '/openapi.json'], ['POST', '/openapi.json'], ['PUT', '/docs'], ['DELETE', '/docs']] as const) {
      const response = await fetch(`${server.url}${path}`, { method })
      expect(response.status, `${method} ${path}`).toBe(405)
      expect(response.headers.get('allow')).toBe('GET, HEAD')
      expect(response.headers.get('content-type')).toMatch(/application\/json/)
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe(`${method} is not allowed on ${path}: it answers GET and HEAD only`)
    }
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(200)
  })

  it('refuses control characters in model names and paths and in folder paths, naming the field, and leaves the file alone', async () => {
    const before = readFileSync(configFile, 'utf8')
    const { settings } = (await (await fetch(`${server.url}/api/settings`)).json()) as SettingsReport
    const put = async (body: unknown) => {
      const response = await fetch(`${server.url}/api/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      return { status: response.status, message: ((await response.json()) as { error?: { message: string } }).error?.message }
    }
    expect(await put({ ...settings, models: { ...settings.models, clip: { ...settings.models.clip, name: 'Xenova/clip\nevil: true' } } }))
      .toEqual({ status: 400, message: 'models.clip.name: must not contain control characters (line breaks, tabs, …)' })
    expect(await put({ ...settings, models: { ...settings.models, tagger: { ...settings.models.tagger, path: '/models/\ttagger' } } }))
      .toEqual({ status: 400, message: 'models.tagger.path: must not contain control characters (line breaks, tabs, …)' })
    expect(await put({ ...settings, folders: [{ ...settings.folders[0]!, path: './lib\r\n' }] }))
      .toEqual({ status: 400, message: 'folders.0.path: must not contain control characters (line breaks, tabs, …)' })
    const folder = await fetch(`${server.url}/api/folders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'two', path: './lib\n' }) })
    expect(folder.status).toBe(400)
    expect(((await folder.json()) as { error: { message: string } }).error.message).toBe('path: must not contain control characters (line breaks, tabs, …)')
    expect(readFileSync(configFile, 'utf8')).toBe(before)
  })
})
