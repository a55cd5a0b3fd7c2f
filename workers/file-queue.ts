import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { FolderConfig } from '../config/schema'
import type { Job } from '../server/store/store'
import { StoreUnavailableError } from '../server/store/store-unavailable-error'
import { indexFile, type IndexOutcome, type IndexResult } from './index-file'
import type { PipelineContext } from './pipeline-context'
import { StageError } from './stage'
import { isTransientFailure } from './transient-failure'
import { removeThumbnail } from './stages/thumbnail.stage'
import { isWorkerAlive } from './worker-id'

export interface FileJobPayload {
  folder: string
  path: string
  /** Re-read the file even when size and mtime match the index (a retry of a failed file). */
  force?: boolean
  /** Read its AI metadata again even when it did not change (IndexOptions.reread). */
  reread?: boolean
}

export type FileOutcome = IndexOutcome | 'error'

/** Unique per folder + path, so a file waiting twice is one job. */
export function fileJobKey(folder: string, path: string): string {
  return `${folder}\u0000${path}`
}

export function fileJob(payload: FileJobPayload) {
  return { kind: 'file' as const, key: fileJobKey(payload.folder, payload.path), payload: { ...payload } }
}

/** A job lease long enough for one huge file; a dead worker's jobs come back sooner via releaseJobs. */
const LEASE_MS = 10 * 60_000
/** Jobs claimed at once, at least: their records are saved together (one bulk write on the servers profile). */
const MIN_CHUNK = 64

/** One job's file, indexed but not yet saved. */
interface JobResult {
  job: Job
  payload: FileJobPayload
  outcome: FileOutcome
  result?: IndexResult
}

/**
 * Works through the persisted file jobs until none is left, `concurrency` files at a time.
 * Jobs are claimed in chunks; a chunk's new and changed records are saved in one write, and its
 * jobs finish only then, so a crash loses no file (the unfinished jobs run again). Jobs survive
 * a crash: ones held by a dead process of this host are taken back first.
 */
export async function processFileJobs(
  ctx: PipelineContext,
  options: { concurrency: number; onOutcome?: (outcome: FileOutcome, payload: FileJobPayload) => void; signal?: AbortSignal },
): Promise<void> {
  // Jobs this process claimed in a run the store stopped (it could not write) are still leased to
  // it; runs of one process never overlap (the live library serialises them), so they come back now.
  const stranded = strandedIn.has(ctx.store)
  await ctx.store.releaseJobs((worker) => !(stranded && worker === ctx.worker) && isWorkerAlive(worker))
  strandedIn.delete(ctx.store)
  const folders = new Map(ctx.config.folders.map((folder) => [folder.name, folder]))
  for (;;) {
    if (options.signal?.aborted) return
    const jobs = await ctx.store.claimJobs('file', Math.max(MIN_CHUNK, options.concurrency * 8), ctx.worker, LEASE_MS)
    if (!jobs.length) return
    try {
      const results: JobResult[] = []
      await forEachLimited(jobs, options.concurrency, async (job) => {
        results.push(await runJob(ctx, folders, job))
      })
      await saveChunk(ctx, folders, results)
      for (const { job, outcome, payload } of results) {
        // The error record is what remembers a failure (and what --retry-errors reads), not the job.
        await ctx.store.finishJob(job.id)
        options.onOutcome?.(outcome, payload)
      }
    } catch (error) {
      // The chunk's unfinished jobs stay in the queue (nothing of theirs was saved): the next run takes them back.
      if (error instanceof StoreUnavailableError) strandedIn.add(ctx.store)
      throw error
    }
  }
}

/** Stores in which this process (its one worker id) left claimed jobs behind when the store stopped writing. */
const strandedIn = new WeakSet<object>()

async function runJob(ctx: PipelineContext, folders: Map<string, FolderConfig>, job: Job): Promise<JobResult> {
  const payload = job.payload as unknown as FileJobPayload
  const folder = folders.get(payload.folder)
  // The folder was removed from the configuration while the job waited.
  if (!folder) return { job, payload, outcome: 'gone' }
  try {
    const result = await indexFile(ctx, folder, payload.path, { force: payload.force, reread: payload.reread })
    return { job, payload, outcome: result.outcome, result }
  } catch (error) {
    // A store that cannot be reached or written stops the chunk: its files are not broken, and their jobs stay.
    if (error instanceof StoreUnavailableError) throw error
    await recordFailure(ctx, folder, payload, error)
    return { job, payload, outcome: 'error' }
  }
}

/**
 * Saves the chunk's new and changed records at once, then drops the thumbnails of replaced content
 * that no image has any more. A batch the store refuses for a reason other than being down is saved
 * one record at a time, so that one bad record fails only its own file.
 */
async function saveChunk(ctx: PipelineContext, folders: Map<string, FolderConfig>, results: JobResult[]): Promise<void> {
  const saving = results.filter((entry) => entry.result?.save)
  if (!saving.length) return
  try {
    await ctx.store.saveImages(saving.map((entry) => entry.result!.save!))
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw error
    for (const entry of saving) {
      try {
        await ctx.store.saveImage(entry.result!.save!)
      } catch (failure) {
        if (failure instanceof StoreUnavailableError) throw failure
        await recordFailure(ctx, folders.get(entry.payload.folder)!, entry.payload, failure)
        entry.outcome = 'error'
        delete entry.result
      }
    }
  }
  for (const { result } of results) {
    const previous = result?.previousHash
    if (previous && !(await ctx.store.findByHash(previous)).length) await removeThumbnail(ctx.config.dataDir, previous)
  }
}

/**
 * Keeps a file's failure as its error record: transient when the machine failed (disk full, too many
 * open files …), which the next import retries by itself; sticky when the file is the problem.
 */
async function recordFailure(ctx: PipelineContext, folder: FolderConfig, payload: FileJobPayload, error: unknown): Promise<void> {
  const stageError = error instanceof StageError ? error : undefined
  const transient = isTransientFailure(error)
  if (!stageError && !transient) ctx.log(`unexpected failure on ${payload.folder}/${payload.path}: ${(error as Error).stack ?? String(error)}`)
  const size = await fileSize(folder, payload.path)
  await ctx.store.recordError({
    folder: payload.folder,
    path: payload.path,
    stage: stageError?.stage ?? 'internal',
    reason: stageError?.message ?? (error instanceof Error ? error.message : String(error)),
    level: 'error',
    transient,
    ...size,
  })
}

async function fileSize(folder: FolderConfig, relPath: string): Promise<{ filesize?: number; mtime?: number }> {
  return stat(join(folder.path, relPath)).then(
    (info) => ({ filesize: info.size, mtime: Math.floor(info.mtimeMs) }),
    () => ({}),
  )
}

/** Runs `work` over the items, `limit` at a time; after a failure no new item starts, and it throws once all running ones ended. */
export async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  let failed = false
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (!failed && next < items.length) {
      try {
        await work(items[next++]!)
      } catch (error) {
        failed = true
        throw error
      }
    }
  })
  const settled = await Promise.allSettled(runners)
  const rejected = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
  if (rejected) throw rejected.reason
}
