/**
 * Reliability of the servers profile: FerretDB is stopped in the middle of an import that a
 * `sagasu worker` loop runs from the shared queue, and started again; the worker waits with
 * backoff, takes back the jobs it held, and the import ends with the same images as an
 * uninterrupted import into the embedded store — none lost, none twice.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema, type SagasuConfig } from '../config/schema'
import { openStore } from '../server/store/open-store'
import { fileJob } from '../workers/file-queue'
import { runImport } from '../workers/import'
import type { PipelineContext } from '../workers/pipeline-context'
import { runWorker } from '../workers/worker-loop'
import { startFerretDb, type FerretDbServer } from './helpers/ferretdb'
import { colorOf, tempDir, writeImage } from './helpers/library'

const FILES = 40

function configFor(dataDir: string, folder: string, servers?: string): SagasuConfig {
  return configSchema.parse({
    dataDir,
    folders: [{ name: 'lib', path: folder }],
    store: servers ? { profile: 'servers', servers: { mongodb: { url: servers, database: 'reliability', timeoutSeconds: 0.5 } } } : { profile: 'embedded' },
    models: { clip: { enabled: false }, tagger: { enabled: false }, ocr: { enabled: false } },
    watch: { enabled: false },
  })
}

describe('servers profile: FerretDB stopped mid-import', () => {
  let ferret: FerretDbServer
  let folder: string

  beforeAll(async () => {
    ferret = await startFerretDb()
    folder = tempDir()
    for (let n = 0; n < FILES; n++) await writeImage(join(folder, `sub${n % 3}`, `${n}.png`), { color: colorOf(n), width: 40 + n })
  }, 120_000)
  afterAll(() => ferret?.stop())

  it('ends with the same images as an uninterrupted import, none lost or doubled', async () => {
    const logs: string[] = []
    const ctx: PipelineContext = { config: configFor(tempDir(), folder, ferret.url), store: undefined!, worker: 'test-host/1', log: (line) => logs.push(line) }
    ctx.store = openStore(ctx.config)
    await ctx.store.enqueueJobs(Array.from({ length: FILES }, (_, n) => fileJob({ folder: 'lib', path: `sub${n % 3}/${n}.png` })))

    const abort = new AbortController()
    let outcomes = 0
    let outage: Promise<void> | undefined
    const worker = runWorker(ctx, {
      concurrency: 2, signal: abort.signal, pollMs: 100, backoffMs: 100, maxBackoffMs: 400,
      onOutcome: () => {
        outcomes++
        // A third of the way in, the database goes away for a while.
        if (outcomes === Math.floor(FILES / 3) && !outage) {
          outage = (async () => {
            await ferret.stop()
            await new Promise((resolve) => setTimeout(resolve, 1_500))
            await ferret.start()
          })()
        }
      },
    })
    const deadline = Date.now() + 90_000
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      if (!outage) continue
      await outage
      const jobs = await ctx.store.countJobs().catch(() => undefined)
      if (jobs && jobs.pending + jobs.running === 0) break
      if (Date.now() > deadline) throw new Error(`the import did not finish after the outage:\n${logs.slice(0, 20).join('\n')}\n--- FerretDB ---\n${ferret.output().slice(-4000)}`)
    }
    abort.abort()
    const summary = await worker
    expect(summary.retries, 'the worker saw the outage and waited').toBeGreaterThan(0)
    expect(logs.join('\n')).toContain('MongoDB at ')

    const embedded = configFor(tempDir(), folder)
    const reference = openStore(embedded)
    const counts = await runImport({ config: embedded, store: reference, worker: 'test-host/2', log: () => {} }, { folders: embedded.folders, concurrency: 2 })
    expect(counts.added).toBe(FILES)

    const [servers, local] = [await ctx.store.fileStates('lib'), await reference.fileStates('lib')]
    expect(servers.size).toBe(FILES)
    expect(new Set([...servers.values()].map((state) => state.id)).size).toBe(FILES)
    expect([...servers.keys()].sort()).toEqual([...local.keys()].sort())
    for (const [path, state] of local) expect(servers.get(path)?.hash, path).toBe(state.hash)
    const [serversStats, localStats] = [await ctx.store.stats(), await reference.stats()]
    expect({ ...serversStats, pendingJobs: 0 }).toEqual({ ...localStats, pendingJobs: 0 })
    expect(await ctx.store.listErrors()).toEqual([])
    expect(await ctx.store.countJobs()).toEqual({ pending: 0, running: 0, failed: 0 })
    await ctx.store.close()
    await reference.close()
  }, 150_000)
})
