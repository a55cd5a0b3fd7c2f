/**
 * A server that may not write its database file (owned by another user, read-only for the one the
 * server runs as: SQLite opens it read-only) answers 503 naming SQLITE_READONLY on the routes that
 * write, says so in GET /api/health, reports the new files it could not save instead of dropping
 * them, and a server on the writable file indexes them. Needs root (to run the server as `nobody`
 * and hand the file back) and `npx nuxt build`.
 */
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HealthReport, ImportCounts, StatsReport } from '../shared/types/api'
import { runCliJson } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { eventually, startServer, type RunningServer } from './helpers/server'

const IMAGES = 3
/** `nobody`: a user without any right to root's files. */
const NOBODY = { uid: 65534, gid: 65534 }

describe('a server whose database file is read-only to it', () => {
  let dir: string
  let lib: string
  let data: string
  let config: string
  let server: RunningServer | undefined
  let skipReason: string | undefined

  beforeAll(async () => {
    if (process.getuid?.() !== 0) {
      skipReason = 'this test runs the server as another user, which needs root'
      return
    }
    dir = tempDir()
    lib = join(dir, 'lib')
    data = join(dir, 'data')
    mkdirSync(lib)
    for (let i = 0; i < IMAGES; i++) await writeImage(join(lib, `image-${i}.png`), { color: colorOf(i) })
    config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', watch: { debounceMs: 100 } })
    const { code, body, stderr } = await runCliJson<ImportCounts>(['--config', config, 'import'])
    expect(code, stderr).toBe(0)
    expect(body.added).toBe(IMAGES)
    // The server's user may read everything and write the data folder (thumbnails, SQLite's -wal and
    // -shm files), but not the database file itself, which stays root's and 0644.
    chmodSync(dir, 0o755)
    chownRecursive(data, NOBODY.uid, NOBODY.gid)
    chownSync(join(data, 'sagasu.db'), 0, 0)
    chmodSync(join(data, 'sagasu.db'), 0o644)
    chownSync(lib, NOBODY.uid, NOBODY.gid)
    server = await startServer(['--config', config], { user: NOBODY, waitFor: /library up to date|first import failed/ })
  }, 120_000)

  afterAll(async () => {
    await server?.stop()
  }, 60_000)

  const health = async (): Promise<HealthReport> => {
    const response = await fetch(`${server!.url}/api/health`)
    expect(response.status).toBe(200)
    return (await response.json()) as HealthReport
  }
  const imageCount = async () => ((await (await fetch(`${server!.url}/api/stats`)).json()) as StatsReport).images
  const post = (path: string, body: unknown) => fetch(`${server!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

  it('answers 503 naming SQLITE_READONLY, reports the new files, and a server that can write indexes them', async (context) => {
    if (skipReason) {
      console.warn(`skipped: ${skipReason}`)
      context.skip()
    }
    expect(await imageCount()).toBe(IMAGES)
    const readOnly = /^SQLite at .*sagasu\.db cannot write: the database file or its folder is read-only \(SQLITE_READONLY: attempt to write a readonly database\)$/

    const batches = await post('/api/dataset/batches', { batch_size: 2, validation_split: 0, test_split: 0, seed: 1 })
    expect(batches.status).toBe(503)
    expect(((await batches.json()) as { error: { message: string } }).error.message).toMatch(readOnly)
    const removal = await fetch(`${server!.url}/api/dataset/batches/${'a'.repeat(32)}`, { method: 'DELETE' })
    expect(removal.status).toBe(503)
    expect(((await removal.json()) as { error: { message: string } }).error.message).toMatch(readOnly)
    const importing = await post('/api/import', {})
    expect(importing.status).toBe(503)
    expect(((await importing.json()) as { error: { message: string } }).error.message).toMatch(readOnly)

    expect((await health()).backends.sqlite).toEqual({ ok: false, reason: expect.stringMatching(readOnly) })

    for (let i = IMAGES; i < IMAGES + 2; i++) {
      await writeImage(join(lib, `image-${i}.png`), { color: colorOf(i) })
      chownSync(join(lib, `image-${i}.png`), NOBODY.uid, NOBODY.gid)
    }
    const unsaved = await eventually(async () => {
      const report = (await health()).unsavedFiles
      return report?.count === 2 ? report : undefined
    }, 60_000, 'the two new files in the health report')
    expect(unsaved.reason).toMatch(readOnly)
    expect(unsaved.examples.sort()).toEqual(['lib/image-3.png', 'lib/image-4.png'])
    expect(server!.output()).toMatch(/library: 2 files could not be saved \(SQLite at .* cannot write/)
    expect(await imageCount()).toBe(IMAGES)

    // SQLite opened the file read-only for the life of the connection: the next server, on a file it may write, indexes them.
    await server!.stop()
    chownSync(join(data, 'sagasu.db'), NOBODY.uid, NOBODY.gid)
    server = await startServer(['--config', config], { user: NOBODY })
    expect(await imageCount()).toBe(IMAGES + 2)
    const after = await health()
    expect(after.backends.sqlite).toEqual({ ok: true })
    expect(after.unsavedFiles).toBeUndefined()
  }, 240_000)
})

function chownRecursive(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid)
  if (!statSync(path).isDirectory()) return
  for (const name of readdirSync(path)) chownRecursive(join(path, name), uid, gid)
}
