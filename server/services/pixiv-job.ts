import type { PixivJobStatus, PixivRunSummary } from '../../shared/types/api'
import { fetchPixivMetadata } from '../../workers/pixiv/fetch-pixiv-metadata'
import type { PipelineContext } from '../../workers/pipeline-context'

export interface PixivJobOptions {
  limit?: number
  retryFailed?: boolean
}

/** The server's one background pixiv run at a time (POST /api/pixiv/fetch, GET /api/pixiv/status). */
export interface PixivJob {
  /** Starts a run; false when one is already running. */
  start(options: PixivJobOptions): boolean
  status(): Promise<PixivJobStatus>
  /** Stops the current run between requests and waits for it (server shutdown). */
  stop(): Promise<void>
}

type RunState = Omit<PixivJobStatus, 'library'>

const IDLE: RunState = {
  running: false, total: 0, done: 0, counts: { ok: 0, deleted: 0, restricted: 0, failed: 0 }, requests: 0,
  propagated: null, interrupted: false, lastError: null, startedAt: null, finishedAt: null,
}

/**
 * The state of the server's pixiv runs: one at a time, in the background, observable while it
 * runs. The run itself is `fetchPixivMetadata`, the same as `sagasu pixiv`.
 *
 * @example
 * const job = createPixivJob(ctx)
 * job.start({ limit: 100 }) // true
 * job.start({}) // false: already running
 */
export function createPixivJob(ctx: PipelineContext): PixivJob {
  let state: RunState = IDLE
  let abort: AbortController | undefined
  let running: Promise<void> | undefined

  const run = async (options: PixivJobOptions, signal: AbortSignal) => {
    try {
      const summary: PixivRunSummary = await fetchPixivMetadata(ctx, {
        ...options,
        signal,
        onProgress: ({ total, done, last }) => {
          state = { ...state, total, done }
          if (!last) return
          const { outcome } = last
          state = {
            ...state,
            counts: { ...state.counts, [outcome.status]: state.counts[outcome.status] + 1 },
            requests: state.requests + outcome.requests,
            ...(outcome.status === 'ok' ? {} : { lastError: { illustid: last.illustid, message: `${outcome.status}: ${outcome.message}`, at: Date.now() } }),
          }
        },
      })
      state = { ...state, propagated: summary.propagated, interrupted: summary.interrupted }
    } catch (error) {
      ctx.log(`pixiv fetch failed: ${String(error)}`)
      state = { ...state, interrupted: true, lastError: { illustid: null, message: error instanceof Error ? error.message : String(error), at: Date.now() } }
    } finally {
      state = { ...state, running: false, finishedAt: Date.now() }
    }
  }

  return {
    start(options) {
      if (state.running) return false
      abort = new AbortController()
      state = { ...IDLE, running: true, startedAt: Date.now() }
      running = run(options, abort.signal)
      return true
    },
    async status() {
      return { ...state, library: await ctx.store.pixivCounts() }
    },
    async stop() {
      abort?.abort()
      await running
    },
  }
}
