/**
 * Shared by the `sagasu worker --stages` tests (embedded and servers profile): a library of small
 * images, a config with the fixture models, two worker processes at once, and what must hold after.
 */
import { join } from 'node:path'
import { expect } from 'vitest'
import type { SagasuConfigInput } from '../../config/schema'
import type { Store } from '../../server/store/store'
import type { WorkerSummary } from '../../workers/worker-loop'
import { ROOT, runCliJson } from './cli'
import { colorOf, writeConfig, writeImage } from './library'

const MODELS = join(ROOT, 'test/fixtures/models')
/**
 * Enough images, leased a few at a time, that the second worker process still finds work when it
 * gets going on a busy machine: the fixture models take a few ms per image, a process start
 * seconds. On FerretDB each chunk costs several round trips, so fewer images do.
 */
export const SIZES = { embedded: { images: 600, chunk: 2 }, servers: { images: 160, chunk: 4 } } as const
export type Size = (typeof SIZES)[keyof typeof SIZES]

export async function makeLibrary(folder: string, images: number): Promise<void> {
  for (let n = 0; n < images; n++) await writeImage(join(folder, `${n % 10}`, `${n}.png`), { color: colorOf(n), width: 24, height: 24 })
}

export interface WorkerConfigOptions {
  store?: SagasuConfigInput['store']
  clip?: boolean
  /** Default: `data` under the config's folder. */
  dataDir?: string
  /** The tagger's general threshold: another value is another tagger version (all images pending again). */
  general?: number
}

/** A config with the fixture tagger (and CLIP when asked), written to `dir/sagasu.config.yaml`. */
export function configFile(dir: string, library: string, { store, clip = false, dataDir, general }: WorkerConfigOptions = {}): string {
  return writeConfig(dir, {
    dataDir: dataDir ?? join(dir, 'data'),
    ...(general === undefined ? {} : { thresholds: { general } }),
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
export async function expectEveryImageDone(store: Store, stages: string[], images: number): Promise<void> {
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
export async function twoWorkers(config: string, stages: string, size: Size): Promise<WorkerSummary[]> {
  const runs = await Promise.all([1, 2].map(() => runCliJson<WorkerSummary>(['--config', config, 'worker', '--stages', stages, '--chunk', String(size.chunk), '--once'])))
  for (const run of runs) expect(run.code, run.stderr).toBe(0)
  return runs.map((run) => run.body)
}

export function expectShared(summaries: WorkerSummary[], stages: string[], images: number): void {
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

