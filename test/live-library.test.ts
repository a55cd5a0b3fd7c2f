import { mkdirSync, readFileSync, renameSync, rmSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SearchPage } from '../shared/types/api'
import type { ImageRecord } from '../shared/types/image'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { eventually, startServer, type RunningServer } from './helpers/server'

describe('live library while sagasu serve runs', () => {
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

  it('indexes the folder at start', async () => {
    expect((await images()).map((image) => image.filename)).toEqual(['present-at-start.png'])
  })

  it('runs its import thread on the server\'s own SQLite: one better-sqlite3 addon in the process', () => {
    // The built server and the thread's TypeScript sources each have a copy of the addon; two copies
    // of SQLite in one process break its locking (the server died of SIGBUS under load).
    const mapped = readFileSync(`/proc/${server.process.pid}/maps`, 'utf8').split('\n')
      .map((line) => line.slice(line.indexOf('/')))
      .filter((path) => path.endsWith('/better_sqlite3.node'))
    expect(new Set(mapped).size).toBe(1)
  })

  it('notices a new file within seconds', async () => {
    await writeImage(join(lib, 'new/12345_777_p0.png'), { color: colorOf(2) })
    const added = await eventually(() => byName('12345_777_p0.png'), 15_000, 'the new file')
    expect(added).toMatchObject({ path: 'new/12345_777_p0.png', illustid: '777', userid: '12345' })
  })

  it('keeps the record of a moved file and drops a deleted one', async () => {
    const before = await eventually(() => byName('12345_777_p0.png'), 15_000, 'the file')
    mkdirSync(join(lib, 'elsewhere'))
    renameSync(join(lib, 'new/12345_777_p0.png'), join(lib, 'elsewhere/renamed.png'))
    const moved = await eventually(() => byName('renamed.png'), 15_000, 'the moved file')
    expect(moved.id).toBe(before.id)
    expect(await byName('12345_777_p0.png')).toBeUndefined()

    unlinkSync(join(lib, 'present-at-start.png'))
    await eventually(async () => ((await byName('present-at-start.png')) ? undefined : true), 15_000, 'the deletion')
  })

  it('re-indexes a changed file and drops a deleted folder', async () => {
    const before = await eventually(() => byName('renamed.png'), 15_000, 'the file')
    await writeImage(join(lib, 'elsewhere/renamed.png'), { color: colorOf(3), width: 99 })
    const changed = await eventually(async () => {
      const image = await byName('renamed.png')
      return image?.width === 99 ? image : undefined
    }, 15_000, 'the change')
    expect(changed.id).toBe(before.id)
    rmSync(join(lib, 'elsewhere'), { recursive: true })
    await eventually(async () => ((await images()).length === 0 ? true : undefined), 15_000, 'the folder removal')
  })
})
