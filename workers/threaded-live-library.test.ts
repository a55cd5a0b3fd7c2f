import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../config/load-config'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import type { Store } from '../server/store/store'
import { colorOf, tempDir, writeConfig, writeImage } from '../test/helpers/library'
import { eventually } from '../test/helpers/server'
import { startThreadedLiveLibrary } from './threaded-live-library'
import type { LiveLibrary } from './watcher'

/** A library of `count` distinct images and the server's configuration for it (no models, no periodic re-scan). */
async function library(count: number) {
  const dir = tempDir()
  for (let i = 0; i < count; i++) await writeImage(join(dir, 'lib', `sub${i % 3}`, `${i}.png`), { color: colorOf(i), width: 24, height: 24 })
  const file = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', watch: { debounceMs: 200, rescanMinutes: 0 }, models: { tagger: { enabled: false }, clip: { enabled: false }, ocr: { enabled: false } } })
  const { config } = loadConfig({ file, env: {} })
  return { dir, config }
}

/** Every indexed path, once per record. */
async function indexedPaths(store: Store): Promise<string[]> {
  return [...(await store.fileStates('lib')).keys()].sort()
}

describe('the live library in a worker thread', () => {
  const open: Array<{ close: () => Promise<void> }> = []
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close()
  })

  it('imports the folders, reports progress and changes, and hands calls to the thread', async () => {
    const { dir, config } = await library(12)
    const logs: string[] = []
    let changes = 0
    const live: LiveLibrary = startThreadedLiveLibrary(config, { log: (message) => logs.push(message), afterChanges: () => changes++ })
    open.push(live)
    await live.ready
    expect(live.importProgress()).toMatchObject({ running: false, phase: 'done', done: 12, total: 12, error: null, counts: { added: 12, errors: 0 } })
    expect(changes).toBeGreaterThan(0)
    const store = openSqliteStore(config.dataDir)
    open.push(store)
    expect(await indexedPaths(store)).toHaveLength(12)

    // A folder added while the server runs: the server's own configuration lists it (its files are served) and the thread imports it.
    await writeImage(join(dir, 'more', 'extra.png'), { color: colorOf(99) })
    await live.addFolder({ name: 'more', path: join(dir, 'more'), recursive: true })
    expect(config.folders.map((folder) => folder.name)).toEqual(['lib', 'more'])
    expect([...(await store.fileStates('more')).keys()]).toEqual(['extra.png'])

    await live.importNow()
    expect(live.importProgress()).toMatchObject({ running: false, counts: { added: 0, unchanged: 13 }, error: null })
    expect(logs.join('\n')).not.toMatch(/stopped/)
  })

  it('starts a thread that died mid-import again, says so, and ends with every file indexed once', async () => {
    const { config } = await library(150)
    const threads: Worker[] = []
    const logs: string[] = []
    const live = startThreadedLiveLibrary(config, { log: (message) => logs.push(message), onThread: (thread) => threads.push(thread) })
    open.push(live)
    // End the first thread as soon as it reports that it is importing.
    await eventually(async () => (live.importProgress()?.running ? true : undefined), 60_000, 'the import to start')
    await threads[0]!.terminate()
    await eventually(async () => (logs.some((line) => /the import thread stopped \(exit code 1\); starting it again/.test(line)) ? true : undefined), 20_000, 'the report')
    await live.ready
    expect(threads).toHaveLength(2)
    const store = openSqliteStore(config.dataDir)
    open.push(store)
    const paths = await indexedPaths(store)
    expect(paths).toHaveLength(150)
    expect(new Set(paths).size).toBe(150)
    // The second thread took back the first one's claimed jobs at once instead of after their lease.
    expect(await store.countJobs()).toMatchObject({ pending: 0, running: 0 })
    expect(live.importProgress()).toMatchObject({ running: false, phase: 'done', error: null })
  })

  it('stops restarting a thread that keeps dying, reports why, and starts again on request', async () => {
    const { config } = await library(3)
    const threads: Worker[] = []
    const live = startThreadedLiveLibrary(config, { log: () => {}, maxRestarts: 0, onThread: (thread) => threads.push(thread) })
    open.push(live)
    await live.ready
    await threads[0]!.terminate()
    const report = await eventually(async () => live.importProgress()?.error ?? undefined, 20_000, 'the report')
    expect(report).toMatch(/the import thread stopped \(exit code 1\); it stopped once within a minute, so the folders are not imported or watched now/)
    expect(threads).toHaveLength(1)

    await live.importNow()
    expect(threads).toHaveLength(2)
    expect(live.importProgress()).toMatchObject({ running: false, error: null, counts: { unchanged: 3 } })
  })
})
