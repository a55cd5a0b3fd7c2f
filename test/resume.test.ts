import { spawn } from 'node:child_process'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { ImportCounts, SearchPage } from '../shared/types/api'
import { CLI, ROOT, runCliJson } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { eventually } from './helpers/server'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import { fileJob } from '../workers/file-queue'

const COUNT = 400

async function makeLibrary() {
  const dir = tempDir()
  for (let i = 0; i < COUNT; i++) await writeImage(join(dir, 'lib', `${i % 7}`, `${1000 + i}_p0.png`), { color: colorOf(i), width: 240, height: 180 })
  const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', import: { concurrency: 1 } })
  return { dir, config }
}

function countRows(dir: string, sql: string): number | undefined {
  try {
    const db = new Database(join(dir, 'data', 'sagasu.db'), { readonly: true, fileMustExist: true })
    try {
      return (db.prepare(sql).get() as { n: number }).n
    } finally {
      db.close()
    }
  } catch {
    return undefined
  }
}

async function interruptedImport(dir: string, config: string, signal: NodeJS.Signals) {
  const child = spawn(process.execPath, [CLI, '--config', config, 'import', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  const before = await eventually(async () => {
    const n = countRows(dir, 'SELECT count(*) AS n FROM images')
    return n !== undefined && n >= 40 ? n : undefined
  }, 60_000, 'the import to get going')
  child.kill(signal)
  const code = await exited
  return { before, code, stdout }
}

describe('an interrupted import', () => {
  it('resumes after kill -9 without redoing finished files or duplicating any', async () => {
    const { dir, config } = await makeLibrary()
    const { before, code } = await interruptedImport(dir, config, 'SIGKILL')
    expect(code).toBeNull()
    const indexed = countRows(dir, 'SELECT count(*) AS n FROM images')!
    expect(indexed).toBeGreaterThanOrEqual(before)
    expect(indexed).toBeLessThan(COUNT)
    // The queue of the dead process is still on disk.
    expect(countRows(dir, 'SELECT count(*) AS n FROM jobs')).toBeGreaterThan(0)

    const { code: resumed, body } = await runCliJson<ImportCounts>(['--config', config, 'import'])
    expect(resumed).toBe(0)
    expect(body).toEqual({ scanned: COUNT, added: COUNT - indexed, updated: 0, moved: 0, removed: 0, unchanged: indexed, errors: 0 })
    expect(countRows(dir, 'SELECT count(*) AS n FROM images')).toBe(COUNT)
    expect(countRows(dir, 'SELECT count(DISTINCT hash) AS n FROM images')).toBe(COUNT)
    expect(countRows(dir, 'SELECT count(*) AS n FROM jobs')).toBe(0)
    const { body: page } = await runCliJson<SearchPage>(['--config', config, 'search', '--limit', '1'])
    expect(page.total).toBe(COUNT)
  })

  it('stops cleanly on Ctrl-C with exit 130 and the counts so far, then resumes', async () => {
    const { dir, config } = await makeLibrary()
    const { code, stdout } = await interruptedImport(dir, config, 'SIGINT')
    expect(code).toBe(130)
    const partial = JSON.parse(stdout) as ImportCounts
    expect(partial.added).toBeGreaterThan(0)
    expect(partial.added).toBeLessThan(COUNT)
    const { body } = await runCliJson<ImportCounts>(['--config', config, 'import'])
    expect(body.added + body.unchanged).toBe(COUNT)
    expect(countRows(dir, 'SELECT count(*) AS n FROM images')).toBe(COUNT)
  })

  it('counts a file once when a job left over from a killed run names a file whose record was already saved', async () => {
    // kill -9 between saving a file's record and finishing its job leaves exactly this state; made here on purpose.
    const dir = tempDir()
    await writeImage(join(dir, 'lib', 'a.png'), { color: colorOf(1) })
    await writeImage(join(dir, 'lib', 'b.png'), { color: colorOf(2) })
    const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' })
    expect((await runCliJson<ImportCounts>(['--config', config, 'import'])).body.added).toBe(2)
    const store = openSqliteStore(join(dir, 'data'))
    await store.enqueueJobs([fileJob({ folder: 'lib', path: 'a.png' })])
    await store.close()
    const { body } = await runCliJson<ImportCounts>(['--config', config, 'import'])
    expect(body).toEqual({ scanned: 2, added: 0, updated: 0, moved: 0, removed: 0, unchanged: 2, errors: 0 })
    expect(countRows(dir, 'SELECT count(*) AS n FROM jobs')).toBe(0)
  })
})
