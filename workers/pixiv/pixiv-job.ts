import type { PixivJobStatus, PixivLibraryCounts, PixivRunSummary } from '../../shared/types/api'
import { fetchPixivMetadata } from './fetch-pixiv-metadata'
import type { PipelineContext } from '../pipeline-context'

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

/** While a run goes on, the library's counts (a scan of every pixiv image) are refreshed at most this often. */
const LIBRARY_COUNTS_MS = 5000

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
  let library: { counts: PixivLibraryCounts; at: number } | undefined

  /** The library's counts: fresh when idle; while running, at most LIBRARY_COUNTS_MS old, since the page polls every second. */
  const libraryCounts = async (): Promise<PixivLibraryCounts> => {
    if (state.running && library && Date.now() - library.at < LIBRARY_COUNTS_MS) return library.counts
    library = { counts: await ctx.store.pixivCounts(), at: Date.now() }
    return library.counts
  }

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
      const current = state
      return { ...current, library: await libraryCounts() }
    },
    async stop() {
      abort?.abort()
      await running
    },
  }
}
