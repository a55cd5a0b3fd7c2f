/**
 * `sagasu worker --stages`: model work taken through leases. Two worker processes over one library
 * (the embedded store, and the servers profile on a real FerretDB) run the fixture models on every
 * image exactly once between them; a worker without --once waits for work and stops on SIGTERM;
 * an unknown stage name is a usage error.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SagasuConfigInput } from '../config/schema'
import { loadConfig } from '../config/load-config'
import { openStore } from '../server/store/open-store'
import type { Store } from '../server/store/store'
import type { WorkerSummary } from '../workers/worker-loop'
import { CLI, ROOT, runCli, runCliJson } from './helpers/cli'
import { startFerretDb, type FerretDbServer } from './helpers/ferretdb'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { eventually } from './helpers/server'

const MODELS = join(ROOT, 'test/fixtures/models')
/**
 * Enough images, leased a few at a time, that the second worker process still finds work when it
 * gets going on a busy machine: the fixture models take a few ms per image, a process start
 * seconds. On FerretDB each chunk costs several round trips, so fewer images do.
 */
const SIZES = { embedded: { images: 600, chunk: 2 }, servers: { images: 160, chunk: 4 } } as const
type Size = (typeof SIZES)[keyof typeof SIZES]

async function makeLibrary(folder: string, images: number): Promise<void> {
  for (let n = 0; n < images; n++) await writeImage(join(folder, `${n % 10}`, `${n}.png`), { color: colorOf(n), width: 24, height: 24 })
}

function configFile(dir: string, library: string, store: SagasuConfigInput['store'], clip: boolean): string {
  return writeConfig(dir, {
    dataDir: join(dir, 'data'),
    folders: [{ name: 'lib', path: library }],
    watch: { enabled: false },
    ...(store ? { store } : {}),
    models: {
      tagger: { path: join(MODELS, 'tiny-wd14') },
      clip: clip ? { path: join(MODELS, 'tiny-clip') } : { enabled: false },
      ocr: { enabled: false },
      hubUrl: 'http://127.0.0.1:9',
      hubTimeoutSeconds: 1,
      batchSize: 2,
    },
  })
}

/** What the store holds after the workers: every image done once per stage, with its output, and no error. */
async function expectEveryImageDone(store: Store, stages: string[], images: number): Promise<void> {
  const versions = await store.stageVersions()
  for (const stage of stages) {
    const of = versions.filter((entry) => entry.stage === stage)
    expect(of, `${stage} ran with one version`).toHaveLength(1)
    expect(await store.stageCounts(stage, of[0]!.version), stage).toEqual({ done: images, pending: 0 })
    expect(await store.claimStageWork(stage, of[0]!.version, 'checker/1', 10, 60_000), `${stage}: nothing left to hand out`).toEqual([])
  }
  const embedModel = versions.find((entry) => entry.stage === 'embed')?.version
  for (let id = 1; id <= images; id += 25) {
    const [image] = await store.getImages([id])
    expect(Object.keys(image?.tags ?? {}).length, `tags of image ${id}`).toBeGreaterThan(0)
    if (embedModel) expect(await store.getEmbedding(id, embedModel), `embedding of image ${id}`).toBeInstanceOf(Float32Array)
  }
  expect(await store.listErrors()).toEqual([])
}

/** Two `worker --stages … --once` processes at once; their summaries. */
async function twoWorkers(config: string, stages: string, size: Size): Promise<WorkerSummary[]> {
  const runs = await Promise.all([1, 2].map(() => runCliJson<WorkerSummary>(['--config', config, 'worker', '--stages', stages, '--chunk', String(size.chunk), '--once'])))
  for (const run of runs) expect(run.code, run.stderr).toBe(0)
  return runs.map((run) => run.body)
}

function expectShared(summaries: WorkerSummary[], stages: string[], images: number): void {
  for (const stage of stages) {
    const processed = summaries.map((summary) => summary.stages?.[stage]?.processed ?? 0)
    // Each image once: the counts add up to the library (an image run twice would count twice).
    expect(processed.reduce((a, b) => a + b, 0), `${stage}: ${processed.join(' + ')}`).toBe(images)
    expect(summaries.map((summary) => summary.stages?.[stage]?.failed), stage).toEqual([0, 0])
  }
  // Both did some of it: the second one starts well before the first can finish them all.
  const total = (summary: WorkerSummary) => Object.values(summary.stages ?? {}).reduce((sum, stage) => sum + stage.processed, 0)
  expect(summaries.map(total).every((n) => n > 0), `work per worker: ${summaries.map(total).join(', ')}`).toBe(true)
  for (const summary of summaries) expect(summary.processed, 'no file jobs taken').toBe(0)
}

describe('sagasu worker --stages (embedded store)', () => {
  const dir = tempDir('sagasu-worker-stages-')
  const library = join(dir, 'library')
  let config: string

  beforeAll(async () => {
    await makeLibrary(library, SIZES.embedded.images)
    config = configFile(dir, library, undefined, true)
    const imported = await runCliJson<{ added: number }>(['--config', config, 'import'])
    expect(imported.body.added).toBe(SIZES.embedded.images)
  }, 240_000)

  it('two workers tag and embed every image exactly once between them', async () => {
    const summaries = await twoWorkers(config, 'tag,embed', SIZES.embedded)
    expectShared(summaries, ['tag', 'embed'], SIZES.embedded.images)
    const store = openStore(loadConfig({ file: config }).config)
    try {
      await expectEveryImageDone(store, ['tag', 'embed'], SIZES.embedded.images)
    } finally {
      await store.close()
    }
  }, 300_000)

  it('waits for new work until SIGTERM, then stops and reports what it did', async () => {
    const other = tempDir('sagasu-worker-wait-')
    const small = join(other, 'library')
    for (let n = 0; n < 3; n++) await writeImage(join(small, `${n}.png`), { color: colorOf(n) })
    const file = configFile(other, small, undefined, false)
    const worker = spawn(process.execPath, [CLI, '--config', file, 'worker', '--stages', 'tag', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    worker.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    worker.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    const exited = new Promise<number | null>((resolve) => worker.on('close', (code) => resolve(code)))
    try {
      // Images imported while the worker waits are tagged by it.
      expect((await runCliJson<{ added: number }>(['--config', file, 'import'])).body.added).toBe(3)
      const store = openStore(loadConfig({ file }).config)
      try {
        await eventually(async () => {
          const [tag] = (await store.stageVersions()).filter((entry) => entry.stage === 'tag')
          return tag && (await store.stageCounts('tag', tag.version)).done === 3 ? true : undefined
        }, 120_000, () => `the waiting worker to tag the new images:\n${stderr}`)
      } finally {
        await store.close()
      }
      expect(worker.exitCode, 'still waiting for more').toBeNull()
    } finally {
      worker.kill('SIGTERM')
    }
    expect(await exited, stderr).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ processed: 0, stages: { tag: { processed: 3, failed: 0 } } })
  }, 240_000)

  it('refuses an unknown stage name, and a stage the configuration turns off, with exit 2', async () => {
    const unknown = await runCli(['--config', config, 'worker', '--stages', 'tag,colour', '--once'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown stage "colour"')
    const off = await runCli(['--config', configFile(tempDir(), library, undefined, false), 'worker', '--stages', 'embed', '--once'])
    expect(off.code).toBe(2)
    expect(off.stderr).toContain('models.clip.enabled')
  })
})

describe('sagasu worker --stages (servers profile, FerretDB)', () => {
  let ferret: FerretDbServer
  const dir = tempDir('sagasu-worker-stages-servers-')
  const library = join(dir, 'library')
  let config: string

  beforeAll(async () => {
    ferret = await startFerretDb()
    await makeLibrary(library, SIZES.servers.images)
    // The tagger only: CLIP embeddings live in Milvus on this profile, which the vector conformance suite covers.
    config = configFile(dir, library, { profile: 'servers', servers: { mongodb: { url: ferret.url, database: 'distributed' } } }, false)
    const imported = await runCliJson<{ added: number }>(['--config', config, 'import'])
    expect(imported.body.added, imported.stderr).toBe(SIZES.servers.images)
  }, 300_000)
  afterAll(() => ferret?.stop())

  it('two workers tag every image exactly once between them', async () => {
    const summaries = await twoWorkers(config, 'tag', SIZES.servers)
    expectShared(summaries, ['tag'], SIZES.servers.images)
    const store = openStore(loadConfig({ file: config }).config)
    try {
      await expectEveryImageDone(store, ['tag'], SIZES.servers.images)
    } finally {
      await store.close()
    }
  }, 300_000)
})
