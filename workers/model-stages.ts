import { join } from 'node:path'
import type { FolderConfig, SagasuConfig } from '../config/schema'
import type { StageProgress } from '../shared/types/api'
import type { TagScore } from '../shared/types/image'
import type { StageWork, Store } from '../server/store/store'
import { ClipStage } from './models/clip.stage'
import { readableFolders } from './kept-folders'
import { StageLeases } from './stage-leases'
import { firstLine } from './models/model-load-error'
import { TaggerStage } from './models/tagger.stage'
import { ocrStageFromConfig } from './ocr'
import type { PipelineContext } from './pipeline-context'
import type { BatchItem, BatchOutcome, BatchStage } from './stage'

/** Images handed to a stage at once; the stage batches inference within it (`models.batchSize`). */
const WORK_CHUNK = 32

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
  /** Images leased and handed to a stage at once (default 32); smaller spreads a small library over more workers. */
  chunk?: number
}

/**
 * Runs every enabled model stage over the images it has not run on with its current version,
 * until none is left (or `signal` aborts). A stage whose model cannot load is reported disabled
 * and skipped; an image a stage fails on gets an error record and is not tried again with that
 * version. The outputs of each chunk are stored in one write as soon as it is done, so an
 * interrupted run loses at most one chunk.
 */
export async function runModelStages(ctx: PipelineContext, options: RunModelStagesOptions = {}): Promise<StageProgress[]> {
  const results: StageProgress[] = []
  const stages = options.stages ?? modelStages(ctx.config)
  try {
    for (const entry of stages) {
      if (options.signal?.aborted) break
      results.push(await runStage(ctx, entry as ModelStage<unknown>, options))
    }
  } finally {
    // Stages made for this run only (a CLI command) let go of their models, or the process would wait for their idle timers.
    if (!options.stages) for (const { stage } of stages) await stage.unload()
  }
  return results
}

async function runStage(ctx: PipelineContext, { stage, save }: ModelStage<unknown>, options: RunModelStagesOptions): Promise<StageProgress> {
  const { store } = ctx
  const version = stage.version()
  const counts = await store.stageCounts(stage.name, version)
  const progress: StageProgress = { stage: stage.name, state: 'idle', done: counts.done, pending: counts.pending, processed: 0, failed: 0, rate: 0 }
  const report = () => options.onProgress?.({ ...progress })
  // Work comes under leases, so other processes running these stages (sagasu worker --stages) never take the same image.
  const leases = new StageLeases(ctx, stage.name, version)
  const chunk = options.chunk ?? WORK_CHUNK
  let work = await leases.take(chunk)
  if (!work.length) {
    report()
    return progress
  }
  try {
    await stage.load()
  } catch (error) {
    progress.state = 'disabled'
    progress.reason = firstLine(error)
    ctx.log(`${stage.name}: ${progress.reason}`)
    await leases.release()
    report()
    return progress
  }
  progress.state = 'running'
  report()
  const started = Date.now()
  try {
    while (work.length && !options.signal?.aborted) {
      const folders = readableFolders(ctx.config.folders, ctx.config.dataDir)
      const outcomes = await stage.run(work.map((item) => batchItem(folders, item)))
      progress.failed += await saveOutcomes(ctx, stage.name, work, outcomes, save)
      await store.markStageDone(work.map((item) => item.id), stage.name, version)
      progress.done += work.length
      progress.pending = Math.max(0, progress.pending - work.length)
      progress.processed += work.length
      progress.rate = progress.processed / Math.max(0.001, (Date.now() - started) / 1000)
      report()
      work = await leases.take(chunk)
    }
  } catch (error) {
    // The model itself broke mid-run (not one image): stop this stage, keep what is stored.
    progress.state = 'disabled'
    progress.reason = firstLine(error)
    ctx.log(`${stage.name}: stopped: ${progress.reason}`)
    report()
    return progress
  } finally {
    // A stop between chunks, or a broken model, leaves the chunk it holds to other workers at once.
    await leases.release()
  }
  progress.state = 'idle'
  report()
  return progress
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
