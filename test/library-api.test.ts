import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErrorRecord, JobsReport, StatsReport } from '../shared/types/api'
import type { SettingsReport } from '../shared/types/settings'
import { openApiDocument, resolvePointer, schemaProblems } from '../server/openapi/openapi-document'
import { colorOf, tempDir, writeImage } from './helpers/library'
import { eventually, freePort, startServer, type RunningServer } from './helpers/server'

/** A config file with comments, as a user writes it: saving settings must keep them. */
function commentedConfig(hubPort: number): string {
  return `# my Sagasu
folders:
  - name: lib   # the main collection
    path: ./lib
dataDir: ./data
models:
  tagger:
    enabled: false
  clip:
    enabled: false
  ocr:
    enabled: false
  # nothing listens here: a download must fail, not hang
  hubUrl: http://127.0.0.1:${hubPort}
  hubTimeoutSeconds: 2
thresholds:
  # tuned by hand
  general: 0.35
  character: 0.85
`
}

const document = openApiDocument('0.0.0')

/** Problems of a real answer against the schema the OpenAPI document gives for it (none expected). */
function undocumented(path: string, method: string, status: number, body: unknown): string[] {
  const paths = document.paths as Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }> }>>
  let response = paths[path]?.[method]?.responses[String(status)]
  if (response?.$ref) response = resolvePointer(document, response.$ref) as typeof response
  const schema = response?.content?.['application/json']?.schema
  if (!schema) return [`${method} ${path} documents no JSON ${status}`]
  return schemaProblems(document, schema, body)
}

describe('jobs, errors, folders, stats and settings API', () => {
  let dir: string
  let configFile: string
  let server: RunningServer

  const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${server.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } })
    return { status: response.status, body: (await response.json()) as T }
  }
  const post = <T>(path: string, body: unknown) => api<T>(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) })
  const errorsOf = async () => (await api<{ errors: ErrorRecord[] }>('/api/errors')).body.errors

  beforeAll(async () => {
    dir = tempDir()
    // pixiv file names give user ids and the works' ids; the date comes from the files' mtimes.
    await writeImage(join(dir, 'lib', '414500_89732420_p0.png'), { color: colorOf(1) })
    await writeImage(join(dir, 'lib', '414500_89732421_p0.png'), { color: colorOf(2) })
    await writeImage(join(dir, 'lib', 'plain.png'), { color: colorOf(3) })
    writeFileSync(join(dir, 'lib', 'broken.png'), 'not an image at all')
    configFile = join(dir, 'sagasu.config.yaml')
    writeFileSync(configFile, commentedConfig(await freePort()))
    server = await startServer(['--config', configFile], { env: { SAGASU_MODELS: '' } })
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('reports stats with charts: types, top users, images per month', async () => {
    const { status, body } = await api<StatsReport>('/api/stats')
    expect(status).toBe(200)
    expect(body.images).toBe(3)
    expect(body.byType.pixiv).toBe(2)
    expect(body.charts.topUsers).toEqual([{ type: 'pixiv', userid: '414500', username: null, images: 2 }])
    expect(body.charts.byMonth.reduce((sum, month) => sum + month.images, 0)).toBe(3)
    expect(body.charts.byMonth[0]!.month).toMatch(/^\d{4}-\d{2}$/)
    expect(undocumented('/api/stats', 'get', 200, body)).toEqual([])
    expect(undocumented('/api/stats', 'get', 200, { ...body, charts: { topTags: [] } })).not.toEqual([])
  })

  it('streams the jobs report as server-sent events', async () => {
    const abort = new AbortController()
    const response = await fetch(`${server.url}/api/jobs/events`, { signal: abort.signal })
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const reader = response.body!.getReader()
    let text = ''
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value)
    abort.abort()
    expect(text).toMatch(/^event: jobs\n/)
    const report = JSON.parse(/data: (.*)\n/.exec(text)![1]!) as JobsReport
    expect(report.files).toEqual({ pending: 0, running: 0, failed: 0 })
    expect(report.import).toMatchObject({ running: false, phase: 'done', counts: { added: 3, errors: 1 } })
    expect(undocumented('/api/jobs', 'get', 200, report)).toEqual([])
  })

  it('retries a failed file: the record is cleared and the file indexed again', async () => {
    const [before] = await errorsOf()
    expect(before).toMatchObject({ folder: 'lib', path: 'broken.png' })
    const retried = await post<{ queued: boolean }>('/api/errors/retry', { folder: 'lib', path: 'broken.png' })
    expect(retried).toEqual({ status: 202, body: { queued: true } })
    expect(undocumented('/api/errors/retry', 'post', 202, retried.body)).toEqual([])
    // Still not an image: indexing it again records a new failure.
    const after = await eventually(async () => (await errorsOf()).find((error) => error.at > before!.at))
    expect(after.path).toBe('broken.png')
  })

  it('refuses a retry of a file without an error record, or a bad body, naming what is wrong', async () => {
    expect(await post('/api/errors/retry', { folder: 'lib', path: 'plain.png' })).toEqual({ status: 404, body: { error: { message: 'no error record for "plain.png" in folder "lib"' } } })
    expect(await post('/api/errors/retry', { folder: 'lib' })).toEqual({ status: 400, body: { error: { message: 'path: required' } } })
    expect(await post('/api/errors/retry', { folder: 'lib', path: 'x', extra: 1 })).toEqual({ status: 400, body: { error: { message: 'unknown parameter extra; known: folder, path' } } })
    expect(await post('/api/errors/retry', '{nope')).toEqual({ status: 400, body: { error: { message: 'the body is not valid JSON' } } })
  })

  it('adds a folder: 400 for one that does not exist, is a file or is taken; else written and imported', async () => {
    const original = readFileSync(configFile, 'utf8')
    const missing = await post('/api/folders', { name: 'more', path: './nope' })
    expect(missing).toEqual({ status: 400, body: { error: { message: `path: ${join(dir, 'nope')} does not exist` } } })
    const file = await post('/api/folders', { name: 'more', path: './lib/plain.png' })
    expect(file).toEqual({ status: 400, body: { error: { message: `path: ${join(dir, 'lib', 'plain.png')} is not a directory` } } })
    expect((await post('/api/folders', { name: 'lib', path: './lib' })).status).toBe(400)
    expect((await post('/api/folders', { name: 'no spaces', path: './lib' })).body).toEqual({ error: { message: 'name: use letters, digits, "-" and "_" (it appears in /files/<name>/ URLs)' } })
    expect(readFileSync(configFile, 'utf8')).toBe(original)

    mkdirSync(join(dir, 'more'))
    await writeImage(join(dir, 'more', 'new.png'), { color: colorOf(9) })
    expect(await post('/api/folders', { name: 'more', path: './more' })).toEqual({ status: 202, body: { added: 'more', importing: true } })
    const written = readFileSync(configFile, 'utf8')
    expect(written).toContain('# the main collection')
    expect(written).toMatch(/- name: more\n\s+path: \.\/more\n\s+recursive: true/)
    await eventually(async () => ((await api<StatsReport>('/api/stats')).body.folders.some((folder) => folder.name === 'more') ? true : undefined))
  })

  it('starts an import on request and reports it in GET /api/jobs', async () => {
    const before = (await api<JobsReport>('/api/jobs')).body.import!.startedAt
    expect(await post('/api/import', {})).toEqual({ status: 202, body: { started: true } })
    const run = await eventually(async () => {
      const current = (await api<JobsReport>('/api/jobs')).body.import
      return current && current.startedAt > before && !current.running ? current : undefined
    })
    expect(run.counts).toMatchObject({ scanned: 5, unchanged: 4 })
  })

  it('saves settings into the file keeping its comments, and reads them back', async () => {
    const { body: current } = await api<SettingsReport>('/api/settings')
    expect(current.file).toBe(configFile)
    expect(current.settings.thresholds).toEqual({ general: 0.35, character: 0.85 })
    expect(undocumented('/api/settings', 'get', 200, current)).toEqual([])
    const settings = { ...current.settings, thresholds: { general: 0.5, character: 0.9 } }
    const saved = await api<SettingsReport & { saved: boolean }>('/api/settings', { method: 'PUT', body: JSON.stringify(settings) })
    expect(saved.status).toBe(200)
    expect(saved.body.saved).toBe(true)
    expect(saved.body.settings.thresholds).toEqual({ general: 0.5, character: 0.9 })
    const text = readFileSync(configFile, 'utf8')
    expect(text).toContain('# tuned by hand')
    expect(text).toContain('# my Sagasu')
    expect(text).toMatch(/general: 0\.5\n/)
    expect((await api<SettingsReport>('/api/settings')).body.settings.thresholds.general).toBe(0.5)
  })

  it('answers invalid settings with 400 naming the key, and leaves the file alone', async () => {
    const { body: current } = await api<SettingsReport>('/api/settings')
    const before = readFileSync(configFile, 'utf8')
    const put = (settings: unknown) => api<{ error: { message: string } }>('/api/settings', { method: 'PUT', body: JSON.stringify(settings) })
    expect((await put({ ...current.settings, thresholds: { general: 1.5, character: 0.5 } })).body.error.message).toMatch(/^thresholds\.general: /)
    expect((await put({ ...current.settings, thresholds: { general: 0.5, character: 0.5, other: 1 } })).body.error.message).toBe('thresholds: unknown key "other"')
    const missingFolder = await put({ ...current.settings, folders: [...current.settings.folders, { name: 'gone', path: './gone', recursive: true }] })
    expect(missingFolder).toEqual({ status: 400, body: { error: { message: `folders.2.path: ${join(dir, 'gone')} does not exist` } } })
    expect(undocumented('/api/settings', 'put', 400, missingFolder.body)).toEqual([])
    const twice = await put({ ...current.settings, folders: [current.settings.folders[0], current.settings.folders[0]] })
    expect(twice.body.error.message).toBe('folders.1.name: "lib" is used twice; folder names must be unique')
    expect((await put({ ...current.settings, models: { ...current.settings.models, clip: { enabled: true, name: '' } } })).body.error.message).toMatch(/^models\.clip\.name: /)
    expect(readFileSync(configFile, 'utf8')).toBe(before)
  })

  it('starts a model download and reports why it failed', async () => {
    expect((await post('/api/models/download', { model: 'bert' })).status).toBe(400)
    expect(await post('/api/models/download', { model: 'tagger' })).toEqual({ status: 202, body: { started: 'tagger' } })
    const failed = await eventually(async () => {
      const { download } = (await api<SettingsReport>('/api/settings')).body.models.tagger
      return download?.state === 'failed' ? download : undefined
    })
    expect(failed.error).toMatch(/cannot be downloaded|cannot reach/)
  })
})
