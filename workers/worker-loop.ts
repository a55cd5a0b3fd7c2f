import { setTimeout as sleep } from 'node:timers/promises'
import { StoreUnavailableError } from '../server/store/store-unavailable-error'
import { processFileJobs, type FileOutcome } from './file-queue'
import type { PipelineContext } from './pipeline-context'
import { isWorkerAlive } from './worker-id'

export interface WorkerOptions {
  concurrency: number
  signal: AbortSignal
  /** Wait between looks at an empty queue. */
  pollMs?: number
  /** Stop when the queue is empty instead of waiting for more. */
  once?: boolean
  /** First wait after a store backend went away; doubled per failure up to `maxBackoffMs`. */
  backoffMs?: number
  maxBackoffMs?: number
  onOutcome?: (outcome: FileOutcome) => void
}

export interface WorkerSummary {
  processed: number
  byOutcome: Partial<Record<FileOutcome, number>>
  /** Times a backend was unreachable and the worker waited before trying again. */
  retries: number
}

/**
 * `sagasu worker`: takes file jobs from the shared queue (the servers profile's MongoDB) until
 * stopped, `concurrency` at a time. A backend that goes away is waited for with exponential
 * backoff; the jobs it held come back through their leases, so nothing is lost or done twice.
 *
 * @example
 * await runWorker(ctx, { concurrency: 2, signal })
 */
export async function runWorker(ctx: PipelineContext, options: WorkerOptions): Promise<WorkerSummary> {
  const summary: WorkerSummary = { processed: 0, byOutcome: {}, retries: 0 }
  const pollMs = options.pollMs ?? 2_000
  const maxBackoffMs = options.maxBackoffMs ?? 30_000
  let backoffMs = options.backoffMs ?? 500
  let interrupted = false
  while (!options.signal.aborted) {
    try {
      // After an outage this process still holds the jobs it was working on: they go back to the queue.
      if (interrupted) await ctx.store.releaseJobs((worker) => worker !== ctx.worker && isWorkerAlive(worker))
      interrupted = false
      await processFileJobs(ctx, {
        concurrency: options.concurrency,
        signal: options.signal,
        onOutcome: (outcome) => {
          summary.processed++
          summary.byOutcome[outcome] = (summary.byOutcome[outcome] ?? 0) + 1
          options.onOutcome?.(outcome)
        },
      })
      backoffMs = options.backoffMs ?? 500
      if (options.once) break
      await sleep(pollMs, undefined, { signal: options.signal }).catch(() => undefined)
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
