import { ConfigError } from '../../config/load-config'
import type { SagasuConfig } from '../../config/schema'
import { openSqliteStore } from './embedded/sqlite-store'
import type { Store } from './store'

export interface OpenStoreOptions {
  /** A long-running process (the server): keep what `store.memoryIndex` allows in memory, loaded by `warmUp`. */
  longRunning?: boolean
  log?: (message: string) => void
}

/** The store for the configured profile. */
export function openStore(config: SagasuConfig, options: OpenStoreOptions = {}): Store {
  switch (config.store.profile) {
    case 'embedded':
      return openSqliteStore(config.dataDir, { memoryIndex: Boolean(options.longRunning) && config.store.memoryIndex, vectors: config.vectors, log: options.log })
    case 'servers':
      throw new ConfigError('store.profile "servers" (MongoDB + Milvus + Meilisearch) is not available in this version; use "embedded"')
  }
}
