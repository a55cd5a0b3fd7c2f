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
