import { join } from 'node:path'
import type { FolderConfig, SagasuConfig } from '../config/schema'
import type { StageProgress } from '../shared/types/api'
import type { TagScore } from '../shared/types/image'
import type { StageWork, Store } from '../server/store/store'
import { ClipStage } from './models/clip.stage'
import { readFileInside } from '../media/contained-file'
import { readableFolders } from './kept-folders'
import { StageLeases } from './stage-leases'
import { decodeImageFile, type ReadImageFile } from '../models/decoded-image'
import { firstLine } from '../models/model-load-error'
import { TaggerStage } from './models/tagger.stage'
import { ocrStageFromConfig } from './ocr'
import type { PipelineContext } from './pipeline-context'
import type { BatchItem, BatchOutcome, BatchStage } from './stage'

/** One image's output of a model stage. */
interface StageOutput<Output> {
  id: number
  output: Output
}

/** A model stage with what to do with its output. */
interface ModelStage<Output> {
  stage: BatchStage<Output>
  /** Stores the outputs of one chunk of images in one write. */
  save(store: Store, outputs: Array<StageOutput<Output>>): Promise<void>
}

export type AnyModelStage = ModelStage<TagScore[]> | ModelStage<Float32Array> | ModelStage<string>

function withSave<Output>(stage: BatchStage<Output>, save: ModelStage<Output>['save']): ModelStage<Output> {
  return { stage, save }
}

/**
 * The model stages the configuration turns on: tagger, CLIP image embedding, OCR. Order matters
 * only for latency: tags are what most searches use, so they come first.
 */
export function modelStages(config: SagasuConfig): AnyModelStage[] {
  const stages: AnyModelStage[] = []
  if (config.models.tagger.enabled) {
    stages.push(withSave(new TaggerStage(config), (store, outputs) => store.setTagsMany(outputs.map(({ id, output }) => ({ id, tags: output })))))
  }
  if (config.models.clip.enabled) {
    const clip = new ClipStage(config)
    stages.push(withSave(clip, (store, outputs) => store.saveEmbeddings(clip.version(), outputs.map(({ id, output }) => ({ id, vector: output })))))
  }
  const ocr = ocrStageFromConfig(config)
  if (ocr) stages.push(withSave(ocr, (store, outputs) => store.setOcrTexts(outputs.map(({ id, output }) => ({ id, text: output })))))
  return stages
}

export interface RunModelStagesOptions {
  /** The stages to run (default: `modelStages(config)`); a long-lived caller keeps one set. */
  stages?: AnyModelStage[]
  signal?: AbortSignal
  onProgress?: (progress: StageProgress) => void
  /** How a file's bytes are read (default `readFileInside`: only inside its folder); a test counts reads through it. */
  readFile?: ReadImageFile
  /** Images leased per stage and chunk (default: `models.batchSize`, 8 to 64); smaller spreads a small library over more workers. */
  chunk?: number
}

/**
 * Images taken at once: at least 8, or `models.batchSize` (one inference call per stage and chunk)
 * up to 64. Each image is decoded at up to 12 MP (6 MB for a 2 MP RGB image, 48 MB at worst for a
 * 12 MP RGBA one) and two chunks are in memory at once: one being inferred, the next decoding.
 */
function chunkSizeFor(config: SagasuConfig): number {
  return Math.min(64, Math.max(8, config.models.batchSize))
}

/** One stage in a run: `waiting` until its first image shows up (then it loads), `stopped` once disabled. */
interface Lane {
  entry: ModelStage<unknown>
  version: string
  /** Its work comes under leases, so other processes running this stage never take the same image. */
  leases: StageLeases
  state: 'waiting' | 'running' | 'stopped'
  progress: StageProgress
  started: number
}

/** An image of a chunk: what the store said, the stages it is pending for, what they are handed. */
interface ChunkImage {
  work: StageWork
  lanes: Lane[]
  item: BatchItem
}

interface Chunk {
  images: ChunkImage[]
}

/**
 * Runs every enabled model stage over the images it has not run on with its current version,
 * until none is left (or `signal` aborts, checked between chunks). Chunk-major: a chunk of images
 * pending for any stage is read and decoded once, then each stage runs on its images of the chunk; meanwhile the next chunk is
 * decoded on sharp's threads. A stage whose model cannot load is reported disabled and skipped
 * while the others go on; an image a stage fails on (one that cannot be decoded fails every stage
 * it was pending for, each in its own words) gets an error record and is not tried again with
 * that version. The outputs of each chunk are stored in one write per stage as soon as it is
 * done, so an interrupted run loses at most one chunk.
 */
export async function runModelStages(ctx: PipelineContext, options: RunModelStagesOptions = {}): Promise<StageProgress[]> {
  const stages = options.stages ?? modelStages(ctx.config)
  try {
    return await runChunks(ctx, stages as Array<ModelStage<unknown>>, options)
  } finally {
    // Stages made for this run only (a CLI command) let go of their models, or the process would wait for their idle timers.
    if (!options.stages) for (const { stage } of stages) await stage.unload()
  }
}

async function runChunks(ctx: PipelineContext, stages: Array<ModelStage<unknown>>, options: RunModelStagesOptions): Promise<StageProgress[]> {
  const lanes: Lane[] = []
  for (const entry of stages) {
    const version = entry.stage.version()
    const counts = await ctx.store.stageCounts(entry.stage.name, version)
    const progress: StageProgress = { stage: entry.stage.name, state: 'idle', done: counts.done, pending: counts.pending, processed: 0, failed: 0, rate: 0 }
    lanes.push({ entry, version, leases: new StageLeases(ctx, entry.stage.name, version), state: 'waiting', progress, started: 0 })
  }
  const report = (lane: Lane) => options.onProgress?.({ ...lane.progress })
  const stop = (lane: Lane, error: unknown, what: string) => {
    lane.state = 'stopped'
    // What it holds goes to other workers at once, not at the lease's end.
    void lane.leases.release().catch(() => undefined)
    lane.progress.state = 'disabled'
    lane.progress.reason = firstLine(error)
    ctx.log(`${lane.entry.stage.name}: ${what}${lane.progress.reason}`)
    report(lane)
  }
  const start = async (lane: Lane) => {
    if (lane.state !== 'waiting') return
    try {
      await lane.entry.stage.load()
    } catch (error) {
      stop(lane, error, '')
      return
    }
    lane.state = 'running'
    lane.progress.state = 'running'
    lane.started = Date.now()
    report(lane)
  }
  const chunkSize = options.chunk ?? chunkSizeFor(ctx.config)
  const read = options.readFile ?? readFileInside

  /** The next chunk, leased, each image read and decoded once for the stages that want it. */
  const prepare = async (): Promise<Chunk | undefined> => {
    if (options.signal?.aborted) return undefined
    const pending = await leasedChunk(lanes.filter((lane) => lane.state !== 'stopped'), chunkSize)
    if (!pending.length) return undefined
    for (const lane of lanes) if (pending.some((image) => image.lanes.includes(lane))) await start(lane)
    const folders = readableFolders(ctx.config.folders, ctx.config.dataDir)
    const images = await Promise.all(pending.map(async ({ work, lanes: wanting }): Promise<ChunkImage> => {
      const running = wanting.filter((lane) => lane.state === 'running')
      const item = batchItem(folders, work)
      if (!running.length) return { work, lanes: running, item }
      return { work, lanes: running, item: { ...item, decoded: await decodeImageFile(item.absPath, item.root, running.map((lane) => lane.entry.stage.decodeNeed()), read) } }
    }))
    return { images }
  }

  /** Each stage over its images of the chunk, in order; outputs stored in one write per stage. */
  const run = async (chunk: Chunk) => {
    for (const lane of lanes) {
      const mine = chunk.images.filter((image) => image.lanes.includes(lane))
      if (lane.state !== 'running' || !mine.length) continue
      const { stage, save } = lane.entry
      const work = mine.map((image) => image.work)
      try {
        const outcomes = await stage.run(mine.map((image) => image.item))
        lane.progress.failed += await saveOutcomes(ctx, stage.name, work, outcomes, save)
        await ctx.store.markStageDone(work.map((item) => item.id), stage.name, lane.version)
        lane.leases.settled(work.map((item) => item.id))
      } catch (error) {
        // The model itself broke mid-run (not one image): stop this stage, keep what is stored; the others go on.
        stop(lane, error, 'stopped: ')
        continue
      }
      const { progress } = lane
      progress.done += work.length
      progress.pending = Math.max(0, progress.pending - work.length)
      progress.processed += work.length
      progress.rate = progress.processed / Math.max(0.001, (Date.now() - lane.started) / 1000)
      report(lane)
    }
  }

  let next = prepare()
  try {
    for (;;) {
      const chunk = await next
      if (!chunk || options.signal?.aborted) break
      // Lease and decode the next chunk (sharp works on libuv's threads) while the models run on this one.
      next = prepare()
      // Awaited on the next turn; a store failure meanwhile must not count as unhandled.
      next.catch(() => undefined)
      await run(chunk)
    }
  } finally {
    // Never leave a decode or a model load running behind the caller's back (it unloads the stages next).
    await next.catch(() => undefined)
    // A stop, or a stage stopped mid-run, leaves what it still holds to other workers at once.
    await Promise.all(lanes.map((lane) => lane.leases.release().catch(() => undefined)))
  }
  for (const lane of lanes) {
    if (lane.state === 'stopped') continue
    lane.progress.state = 'idle'
    report(lane)
  }
  return lanes.map((lane) => lane.progress)
}

/**
 * The next leased images of every lane (each lane's own id order, `size` at most per lane), merged
 * by image with the lanes each is pending for (in stage order). All of them run in this chunk,
 * since a leased image left out would sit under its lease until the lease ran out.
 */
async function leasedChunk(lanes: Lane[], size: number): Promise<Array<{ work: StageWork; lanes: Lane[] }>> {
  const lists = await Promise.all(lanes.map((lane) => lane.leases.take(size)))
  const byId = new Map<number, { work: StageWork; lanes: Lane[] }>()
  lists.forEach((list, index) => {
    for (const work of list) {
      const image = byId.get(work.id) ?? { work, lanes: [] }
      image.lanes.push(lanes[index]!)
      byId.set(work.id, image)
    }
  })
  return [...byId.values()].sort((a, b) => a.work.id - b.work.id)
}

/** Stores the outputs in one write, records an error for each failure; returns how many failed. */
async function saveOutcomes(
  ctx: PipelineContext,
  stage: string,
  work: StageWork[],
  outcomes: Array<BatchOutcome<unknown>>,
  save: ModelStage<unknown>['save'],
): Promise<number> {
  let failed = 0
  const outputs: Array<StageOutput<unknown>> = []
  for (const [k, item] of work.entries()) {
    const outcome = outcomes[k]
    if (outcome?.status === 'done') {
      outputs.push({ id: item.id, output: outcome.output })
    } else if (outcome?.status !== 'skipped') {
      failed++
      const reason = outcome?.reason ?? 'the stage gave no result for this image'
      await ctx.store.recordError({ folder: item.folder, path: item.path, stage, reason, level: 'error' })
    }
  }
  if (outputs.length) await save(ctx.store, outputs)
  return failed
}

function batchItem(folders: FolderConfig[], work: StageWork): BatchItem {
  const folder = folders.find((f) => f.name === work.folder)
  return { imageId: work.id, hash: work.hash, absPath: folder ? join(folder.path, work.path) : '', ...(folder ? { root: folder.path } : {}) }
}
