import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { FolderConfig } from '../config/schema'
import type { Job } from '../server/store/store'
import { indexFile, type IndexOutcome } from './index-file'
import type { PipelineContext } from './pipeline-context'
import { StageError } from './stage'
import { isWorkerAlive } from './worker-id'

export interface FileJobPayload {
  folder: string
  path: string
  /** Re-read the file even when size and mtime match the index (a retry of a failed file). */
  force?: boolean
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

/**
 * Works through the persisted file jobs until none is left, `concurrency` files at a time.
 * Jobs survive a crash: ones held by a dead process of this host are taken back first.
 */
export async function processFileJobs(
  ctx: PipelineContext,
  options: { concurrency: number; onOutcome?: (outcome: FileOutcome, payload: FileJobPayload) => void; signal?: AbortSignal },
): Promise<void> {
  await ctx.store.releaseJobs(isWorkerAlive)
  const folders = new Map(ctx.config.folders.map((folder) => [folder.name, folder]))
  for (;;) {
    if (options.signal?.aborted) return
    const jobs = await ctx.store.claimJobs('file', options.concurrency * 8, ctx.worker, LEASE_MS)
    if (!jobs.length) return
    await forEachLimited(jobs, options.concurrency, async (job) => {
      const outcome = await runJob(ctx, folders, job)
      options.onOutcome?.(outcome, job.payload as unknown as FileJobPayload)
    })
  }
}

async function runJob(ctx: PipelineContext, folders: Map<string, FolderConfig>, job: Job): Promise<FileOutcome> {
  const payload = job.payload as unknown as FileJobPayload
  const folder = folders.get(payload.folder)
  if (!folder) {
    // The folder was removed from the configuration while the job waited.
    await ctx.store.finishJob(job.id)
    return 'gone'
  }
  try {
    const outcome = await indexFile(ctx, folder, payload.path, { force: payload.force })
    await ctx.store.finishJob(job.id)
    return outcome
  } catch (error) {
    const stageError = error instanceof StageError ? error : undefined
    if (!stageError) ctx.log(`unexpected failure on ${payload.folder}/${payload.path}: ${(error as Error).stack ?? String(error)}`)
    const size = await fileSize(folder, payload.path)
    await ctx.store.recordError({
      folder: payload.folder,
      path: payload.path,
      stage: stageError?.stage ?? 'internal',
      reason: stageError?.message ?? (error instanceof Error ? error.message : String(error)),
      level: 'error',
      ...size,
    })
    // The error record is what remembers the failure (and what --retry-errors reads), not the job.
    await ctx.store.finishJob(job.id)
    return 'error'
  }
}

async function fileSize(folder: FolderConfig, relPath: string): Promise<{ filesize?: number; mtime?: number }> {
  return stat(join(folder.path, relPath)).then(
    (info) => ({ filesize: info.size, mtime: Math.floor(info.mtimeMs) }),
    () => ({}),
  )
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!)
  })
  await Promise.all(runners)
}
