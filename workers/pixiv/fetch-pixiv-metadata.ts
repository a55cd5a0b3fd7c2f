import { setTimeout as sleep } from 'node:timers/promises'
import type { PixivRunSummary } from '../../shared/types/api'
import type { PixivOutcome } from '../../server/store/store'
import type { PipelineContext } from '../pipeline-context'
import { createPixivClient, type PixivClient } from './pixiv-client'

export interface PixivRunOptions {
  /** At most this many works. */
  limit?: number
  /** Ask again about works pixiv answered deleted or restricted. */
  retryFailed?: boolean
  /** Stops the run between requests (an unfinished request is dropped, its work stays pending). */
  signal?: AbortSignal
  /** Called when the works are known and after each work. */
  onProgress?: (progress: PixivRunProgress) => void
}

export interface PixivRunProgress {
  total: number
  done: number
  /** The work just asked about (absent in the first call). */
  last?: { illustid: string; outcome: PixivOutcome }
}

/**
 * PxIMSE's `pixiv` and `update` steps: fetches pixiv's metadata for every pixiv work of the library
 * that has none (one request per work, whatever its number of pages), records each outcome, then
 * gives images with a user id but no user name the name of another image of that user.
 * `pixiv.concurrency` works are in flight at once, each worker pausing `pixiv.delayMs` between its
 * requests.
 *
 * @example
 * const summary = await fetchPixivMetadata(ctx, { limit: 100 })
 * // { works: 100, done: 100, ok: 93, deleted: 5, restricted: 1, failed: 1, requests: 104, propagated: 12, interrupted: false }
 */
export async function fetchPixivMetadata(ctx: Pick<PipelineContext, 'config' | 'store'>, options: PixivRunOptions = {}, client: PixivClient = createPixivClient(ctx.config.pixiv)): Promise<PixivRunSummary> {
  const { store, config } = ctx
  const { signal } = options
  const works = await store.pixivPending({ limit: options.limit, retryFailed: options.retryFailed })
  const summary: PixivRunSummary = { works: works.length, done: 0, ok: 0, deleted: 0, restricted: 0, failed: 0, requests: 0, propagated: 0, interrupted: false }
  options.onProgress?.({ total: works.length, done: 0 })

  let next = 0
  const worker = async () => {
    for (let first = true; !signal?.aborted; first = false) {
      const work = works[next++]
      if (!work) return
      if (!first && config.pixiv.delayMs > 0) await sleep(config.pixiv.delayMs, undefined, { signal })
      const outcome = await client.fetchWork(work.illustid, signal)
      await store.savePixivWork(work.illustid, outcome)
      summary.done++
      summary[outcome.status]++
      summary.requests += outcome.requests
      options.onProgress?.({ total: works.length, done: summary.done, last: { illustid: work.illustid, outcome } })
    }
  }
  const settled = await Promise.allSettled(Array.from({ length: Math.min(config.pixiv.concurrency, works.length) }, worker))
  // An abort ends a worker quietly; anything else (the store failing) is a real failure.
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (failure && !signal?.aborted) throw failure.reason
  summary.interrupted = summary.done < works.length
  // A local step, quick even when interrupted: names fetched so far reach the other images of their users.
  summary.propagated = await store.propagateUserNames()
  return summary
}
