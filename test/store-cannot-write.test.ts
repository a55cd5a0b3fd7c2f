/**
 * A server whose database cannot be written — its data directory is a small tmpfs, filled up while
 * the server runs — answers 503 naming why on the routes that write, says so in GET /api/health
 * (which writes to find out), reports the new files it could not save instead of dropping them, and
 * indexes them by itself once space is freed. Needs root (mount) and `npx nuxt build`.
 */
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HealthReport, StatsReport } from '../shared/types/api'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { eventually, startServer, type RunningServer } from './helpers/server'
import { fillDisk, mountTmpfs, unmount } from './helpers/tmpfs'

const IMAGES = 4

describe('a server whose database cannot be written', () => {
  let dir: string
  let lib: string
  let data: string
  let filler: string
  let server: RunningServer | undefined
  let skipReason: string | undefined

  beforeAll(async () => {
    dir = tempDir()
    lib = join(dir, 'lib')
    data = join(dir, 'data')
    mkdirSync(lib)
    mkdirSync(data)
    for (let i = 0; i < IMAGES; i++) await writeImage(join(lib, `image-${i}.png`), { color: colorOf(i) })
    skipReason = mountTmpfs(data, '16m')
    if (skipReason) return
    const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', watch: { debounceMs: 100 } })
    server = await startServer(['--config', config])
    filler = join(data, 'filler')
  }, 120_000)

  afterAll(async () => {
    await server?.stop()
    if (!skipReason) unmount(data)
  }, 60_000)

  const health = async (): Promise<HealthReport> => {
    const response = await fetch(`${server!.url}/api/health`)
    expect(response.status).toBe(200)
    return (await response.json()) as HealthReport
  }
  const imageCount = async () => ((await (await fetch(`${server!.url}/api/stats`)).json()) as StatsReport).images

  it('answers 503 naming why, reports the files it could not save, and saves them once it can write', async (context) => {
    if (skipReason) {
      console.warn(`skipped: ${skipReason}`)
      context.skip()
    }
    expect((await health()).backends.sqlite).toEqual({ ok: true })
    expect(await imageCount()).toBe(IMAGES)

    fillDisk(filler)

    const batches = await fetch(`${server!.url}/api/dataset/batches`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch_size: 2, validation_split: 0, test_split: 0, seed: 1 }),
    })
    expect(batches.status).toBe(503)
    const body = (await batches.json()) as { error: { message: string } }
    expect(body.error.message).toMatch(/^SQLite at .*sagasu\.db cannot write: the disk holding the database is full \(SQLITE_FULL/)

    const report = await health()
    expect(report.backends.sqlite).toEqual({ ok: false, reason: expect.stringContaining('cannot write: the disk holding the database is full') })

    const importing = await fetch(`${server!.url}/api/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(importing.status).toBe(503)

    // New files arrive while the database is full: they are held and reported, not dropped.
    for (let i = IMAGES; i < IMAGES + 2; i++) await writeImage(join(lib, `image-${i}.png`), { color: colorOf(i) })
    // The watcher may settle the two files in two flushes: wait for both.
    const unsaved = await eventually(async () => {
      const report = (await health()).unsavedFiles
      return report?.count === 2 ? report : undefined
    }, 60_000, 'both unsaved files in the health report')
    expect(unsaved).toMatchObject({ count: 2, reason: expect.stringContaining('SQLITE_FULL') })
    expect(unsaved.examples.sort()).toEqual(['lib/image-4.png', 'lib/image-5.png'])
    expect(server!.output()).toMatch(/library: 2 files could not be saved \(SQLite at .* cannot write/)
    expect(await imageCount()).toBe(IMAGES)

    rmSync(filler)
    await eventually(async () => ((await imageCount()) === IMAGES + 2 ? true : undefined), 120_000, 'the held files to be indexed')
    // The import thread posts its report at most 100 ms after it changes.
    const after = await eventually(async () => {
      const report = await health()
      return report.unsavedFiles === undefined ? report : undefined
    }, 10_000, 'the unsaved files to leave the health report')
    expect(after.backends.sqlite).toEqual({ ok: true })
    const created = await fetch(`${server!.url}/api/dataset/batches`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch_size: 2, validation_split: 0, test_split: 0, seed: 1 }),
    })
    expect(created.status).toBe(201)
  }, 240_000)
})
