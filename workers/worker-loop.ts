import { setTimeout as sleep } from 'node:timers/promises'
import { StoreUnavailableError } from '../server/store/store-unavailable-error'
import type { StageProgress } from '../shared/types/api'
import { processFileJobs, type FileOutcome } from './file-queue'
import { runModelStages, type AnyModelStage } from './model-stages'
import type { PipelineContext } from './pipeline-context'
import { settleWithin } from './settle-within'
import { isWorkerAlive } from './worker-id'

export interface WorkerOptions {
  concurrency: number
  signal: AbortSignal
  /** Take file jobs (default: true when no model stages are given). */
  files?: boolean
  /** Model stages to run on pending images, taken through leases (`sagasu worker --stages tag,embed,ocr`). */
  stages?: AnyModelStage[]
  /** Images a model stage leases at once. */
  chunk?: number
  /** Wait between looks at an empty queue. */
  pollMs?: number
  /** Stop when the queue is empty instead of waiting for more. */
  once?: boolean
  /** First wait after a store backend went away; doubled per failure up to `maxBackoffMs`. */
  backoffMs?: number
  maxBackoffMs?: number
  /**
   * After a stop, how long work in progress may take to reach its next safe point (default 2 s).
   * A model chunk still busy then is abandoned: its leases are released and `abandoned` is set.
   */
  stopGraceMs?: number
  onOutcome?: (outcome: FileOutcome) => void
}

/** What one model stage did in this worker. */
export interface WorkerStageSummary {
  processed: number
  failed: number
  /** Why the stage's model last could not load or broke (the worker tries again, waiting longer each time). */
  disabled?: string
}

export interface WorkerSummary {
  processed: number
  byOutcome: Partial<Record<FileOutcome, number>>
  /** Times a backend was unreachable and the worker waited before trying again. */
  retries: number
  /** Per model stage (present when model stages were given). */
  stages?: Record<string, WorkerStageSummary>
  /** A stop found a model chunk still running; its leases were released and the caller should end the process. */
  abandoned?: true
}

/**
 * `sagasu worker`: takes file jobs from the shared queue (the servers profile's MongoDB) until
 * stopped, `concurrency` at a time, and/or runs model stages on the images pending for them, each
 * chunk under a lease so that several workers (and the server) never run one image twice. A backend
 * that goes away is waited for with exponential backoff; the jobs it held come back through their
 * leases, so nothing is lost or done twice.
 *
 * @example
 * await runWorker(ctx, { concurrency: 2, signal })
 */
export async function runWorker(ctx: PipelineContext, options: WorkerOptions): Promise<WorkerSummary> {
  const summary: WorkerSummary = { processed: 0, byOutcome: {}, retries: 0 }
  const files = options.files ?? !options.stages?.length
  const stages = options.stages ?? []
  if (stages.length) summary.stages = Object.fromEntries(stages.map(({ stage }) => [stage.name, { processed: 0, failed: 0 }]))
  const pollMs = options.pollMs ?? 2_000
  const maxBackoffMs = options.maxBackoffMs ?? 30_000
  let backoffMs = options.backoffMs ?? 500
  let interrupted = false

  /** One pass over the queue and the stages; false when a model stage could not run (load failed, model broke). */
  const runOnce = async (): Promise<boolean> => {
    // After an outage this process still holds the jobs it was working on: they go back to the queue.
    if (interrupted) await ctx.store.releaseJobs((worker) => worker !== ctx.worker && isWorkerAlive(worker))
    interrupted = false
    if (files) {
      await processFileJobs(ctx, {
        concurrency: options.concurrency,
        signal: options.signal,
        onOutcome: (outcome) => {
          summary.processed++
          summary.byOutcome[outcome] = (summary.byOutcome[outcome] ?? 0) + 1
          options.onOutcome?.(outcome)
        },
      })
    }
    if (!stages.length || options.signal.aborted) return true
    const results = await runModelStages(ctx, { stages, signal: options.signal, ...(options.chunk ? { chunk: options.chunk } : {}) })
    for (const result of results) addStageRun(summary, result)
    return !results.some((result) => result.state === 'disabled')
  }

  while (!options.signal.aborted) {
    try {
      const run = runOnce()
      if (!(await finishesOrStops(run, options.signal, options.stopGraceMs ?? 2_000))) {
        // onnxruntime cannot be interrupted inside a chunk: its images go back to the others now.
        run.catch(() => undefined)
        await ctx.store.releaseStageLeases((worker) => worker !== ctx.worker && isWorkerAlive(worker))
        summary.abandoned = true
        break
      }
      const healthy = await run
      if (options.once) break
      // A model that cannot run now (a file still being copied, a store that broke mid-chunk) is tried again, less often each time.
      await sleep(healthy ? pollMs : Math.max(pollMs, backoffMs), undefined, { signal: options.signal }).catch(() => undefined)
      backoffMs = healthy ? options.backoffMs ?? 500 : Math.min(backoffMs * 2, maxBackoffMs)
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error
      summary.retries++
      interrupted = true
      ctx.log(`${error.message}; trying again in ${Math.round(backoffMs / 100) / 10} s`)
      await sleep(backoffMs, undefined, { signal: options.signal }).catch(() => undefined)
      backoffMs = Math.min(backoffMs * 2, maxBackoffMs)
    }
  }
  return summary
}

function addStageRun(summary: WorkerSummary, result: StageProgress): void {
  const entry = summary.stages![result.stage] ??= { processed: 0, failed: 0 }
  entry.processed += result.processed
  entry.failed += result.failed
  if (result.state === 'disabled') entry.disabled = result.reason ?? 'disabled'
  else delete entry.disabled
}

/** Resolves true when `work` settles (either way), false when `signal` aborts and `work` then takes longer than `graceMs`. */
async function finishesOrStops(work: Promise<unknown>, signal: AbortSignal, graceMs: number): Promise<boolean> {
  let onAbort: (() => void) | undefined
  const stopped = new Promise<'stopped'>((resolve) => {
    onAbort = () => resolve('stopped')
    if (signal.aborted) resolve('stopped')
    else signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    const first = await Promise.race([work.then(() => 'done' as const, () => 'done' as const), stopped])
    return first === 'done' || (await settleWithin(work, graceMs))
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort)
  }
}
