import type { SagasuConfig } from '../../config/schema'
import { openSqliteStore } from './embedded/sqlite-store'
import { openServersStore, type OpenServersStoreOptions } from './servers/open-servers-store'
import type { Store } from './store'

export interface OpenStoreOptions {
  /** A long-running process (the server): keep what `store.memoryIndex` allows in memory, loaded by `warmUp`. */
  longRunning?: boolean
  log?: (message: string) => void
  /** The servers profile's vector index (Milvus) and full-text backend (Meilisearch), when opened. */
  serverBackends?: Pick<OpenServersStoreOptions, 'vectors' | 'vectorFilterFor' | 'vectorScalarsFor' | 'fullText'>
}

/** The store for the configured profile. */
export function openStore(config: SagasuConfig, options: OpenStoreOptions = {}): Store {
  switch (config.store.profile) {
    case 'embedded':
      return openSqliteStore(config.dataDir, { memoryIndex: Boolean(options.longRunning) && config.store.memoryIndex, vectors: config.vectors, log: options.log })
    case 'servers': {
      const { mongodb } = config.store.servers
      // Connects on first use: a server that is down makes each operation fail with StoreUnavailableError.
      return openServersStore({ url: mongodb.url, database: mongodb.database, serverSelectionTimeoutMS: mongodb.timeoutSeconds * 1000, ...options.serverBackends })
    }
  }
}
