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
