import { loadConfig } from '../config/load-config'
import type { SagasuConfig } from '../config/schema'
import { openStore } from '../server/store/open-store'
import type { PipelineContext } from '../workers/pipeline-context'
import { currentWorkerId } from '../workers/worker-id'
import { log } from './output'

/** Options every command takes. */
export interface GlobalOptions {
  config?: string
  dataDir?: string
  json?: boolean
}

export function readConfig(options: GlobalOptions): SagasuConfig {
  return loadConfig({ file: options.config, dataDir: options.dataDir }).config
}

/** Config + open store for a command; the caller closes the store. */
export function openContext(options: GlobalOptions, config = readConfig(options)): PipelineContext {
  return { config, store: openStore(config), worker: currentWorkerId(), log }
}

/** Runs a command's work with an open store, closing it however the work ends. */
export async function withContext<T>(options: GlobalOptions, work: (ctx: PipelineContext) => Promise<T>, config?: SagasuConfig): Promise<T> {
  const ctx = openContext(options, config)
  try {
    return await work(ctx)
  } finally {
    await ctx.store.close()
  }
}

/**
 * Runs a long command's work with an open store, Ctrl-C (SIGINT) and SIGTERM turned into an abort
 * of `signal` so the work stops at its next safe point; the store is closed however it ends.
 */
export async function withInterruptibleContext<T>(
  options: GlobalOptions,
  config: SagasuConfig,
  work: (ctx: PipelineContext, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const abort = new AbortController()
  const stop = () => abort.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    return await withContext(options, (ctx) => work(ctx, abort.signal), config)
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}
