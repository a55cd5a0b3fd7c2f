import { mkdirSync, readFileSync, renameSync, rmSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SearchPage } from '../shared/types/api'
import type { ImageRecord } from '../shared/types/image'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { CHANGES_TEST_TIMEOUT_MS, startServer, waitForChanges, watchReport, type RunningServer } from './helpers/server'

describe('live library while sagasu serve runs', { timeout: CHANGES_TEST_TIMEOUT_MS }, () => {
  let dir: string
  let lib: string
  let server: RunningServer

  const images = async (): Promise<ImageRecord[]> => ((await (await fetch(`${server.url}/api/search?limit=500`)).json()) as SearchPage).results
  const byName = async (name: string) => (await images()).find((image) => image.filename === name)

  beforeAll(async () => {
    dir = tempDir()
    lib = join(dir, 'lib')
    await writeImage(join(lib, 'present-at-start.png'), { color: colorOf(1) })
    // A long periodic re-scan, so only filesystem events can explain what the tests see.
    const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', watch: { debounceMs: 200, rescanMinutes: 60 } })
    server = await startServer(['--config', config])
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('indexes the folder at start, and is watching it when it says the library is up to date', async () => {
    expect((await images()).map((image) => image.filename)).toEqual(['present-at-start.png'])
    expect(await watchReport(server)).toEqual({ state: 'watching', folders: [{ folder: 'lib', mode: 'events' }], changesApplied: 0 })
  })

  it('runs its import thread on the server\'s own SQLite: one better-sqlite3 addon in the process', () => {
    // The built server and the thread's TypeScript sources each have a copy of the addon; two copies
    // of SQLite in one process break its locking (the server died of SIGBUS under load).
    const mapped = readFileSync(`/proc/${server.process.pid}/maps`, 'utf8').split('\n')
      .map((line) => line.slice(line.indexOf('/')))
      .filter((path) => path.endsWith('/better_sqlite3.node'))
    expect(new Set(mapped).size).toBe(1)
  })

  // Each test waits for the server's count of applied changes, never for a guessed time: the watcher
  // is set up before "library up to date", so a file written after it is an event however busy the machine.
  it('notices a new file', async () => {
    const since = (await watchReport(server)).changesApplied
    await writeImage(join(lib, 'new/12345_777_p0.png'), { color: colorOf(2) })
    await waitForChanges(server, since, 1, 'the new file')
    const added = await byName('12345_777_p0.png')
    expect(added).toMatchObject({ path: 'new/12345_777_p0.png', illustid: '777', userid: '12345' })
  })

  it('keeps the record of a moved file and drops a deleted one', async () => {
    const before = (await byName('12345_777_p0.png'))!
    expect(before).toBeDefined()
    let since = (await watchReport(server)).changesApplied
    mkdirSync(join(lib, 'elsewhere'))
    renameSync(join(lib, 'new/12345_777_p0.png'), join(lib, 'elsewhere/renamed.png'))
    // A move is two events: the old path's unlink and the new one's add.
    await waitForChanges(server, since, 2, 'the move')
    const moved = await byName('renamed.png')
    expect(moved?.id).toBe(before.id)
    expect(await byName('12345_777_p0.png')).toBeUndefined()

    since = (await watchReport(server)).changesApplied
    unlinkSync(join(lib, 'present-at-start.png'))
    await waitForChanges(server, since, 1, 'the deletion')
    expect(await byName('present-at-start.png')).toBeUndefined()
  })

  it('re-indexes a changed file and drops a deleted folder', async () => {
    const before = (await byName('renamed.png'))!
    expect(before).toBeDefined()
    let since = (await watchReport(server)).changesApplied
    await writeImage(join(lib, 'elsewhere/renamed.png'), { color: colorOf(3), width: 99 })
    await waitForChanges(server, since, 1, 'the change')
    const changed = await byName('renamed.png')
    expect(changed).toMatchObject({ id: before.id, width: 99 })
    since = (await watchReport(server)).changesApplied
    rmSync(join(lib, 'elsewhere'), { recursive: true })
    await waitForChanges(server, since, 1, 'the folder removal')
    expect(await images()).toEqual([])
  })
})
