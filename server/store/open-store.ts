import type { SagasuConfig } from '../../config/schema'
import { openSqliteStore } from './embedded/sqlite-store'
import { lazyFullText, lazyVectorIndex } from './servers/lazy-backends'
import { openMeiliText } from './servers/meili-text'
import { compileMilvusFilter, vectorScalarsFor } from './servers/milvus-filter'
import { openMilvusVectors } from './servers/milvus-vectors'
import { openServersStore, type OpenServersStoreOptions } from './servers/open-servers-store'
import type { Store } from './store'

export interface OpenStoreOptions {
  /** A long-running process (the server): keep what `store.memoryIndex` allows in memory, loaded by `warmUp`. */
  longRunning?: boolean
  log?: (message: string) => void
  /** The servers profile's vector index (Milvus) and full-text backend (Meilisearch), when opened. */
  serverBackends?: Pick<OpenServersStoreOptions, 'vectors' | 'vectorFilterFor' | 'vectorScalarsFor' | 'fullText'>
  /** The embedded profile's better-sqlite3 addon file, when it must be a given one (the server's import thread). */
  sqliteAddon?: string
}

/** The store for the configured profile. */
export function openStore(config: SagasuConfig, options: OpenStoreOptions = {}): Store {
  switch (config.store.profile) {
    case 'embedded':
      return openSqliteStore(config.dataDir, { memoryIndex: Boolean(options.longRunning) && config.store.memoryIndex, vectors: config.vectors, log: options.log, ...(options.sqliteAddon ? { nativeBinding: options.sqliteAddon } : {}) })
    case 'servers': {
      const { mongodb } = config.store.servers
      // Connects on first use: a server that is down makes each operation fail with StoreUnavailableError.
      return openServersStore({
        url: mongodb.url,
        database: mongodb.database,
        serverSelectionTimeoutMS: mongodb.timeoutSeconds * 1000,
        ...(options.serverBackends ?? serverBackends(config)),
      })
    }
  }
}

/** Milvus for the vectors, and Meilisearch for full text when it is configured; each connects on first use. */
function serverBackends(config: SagasuConfig): NonNullable<OpenStoreOptions['serverBackends']> {
  const { milvus, meilisearch } = config.store.servers
  return {
    vectors: lazyVectorIndex(() => openMilvusVectors({
      address: milvus.address,
      ...(milvus.token ? { token: milvus.token } : {}),
      ...(milvus.database ? { database: milvus.database } : {}),
      index: milvus.index,
    })),
    vectorFilterFor: compileMilvusFilter,
    vectorScalarsFor,
    ...(meilisearch ? {
      fullText: lazyFullText('meilisearch', () => openMeiliText({
        url: meilisearch.url,
        ...(meilisearch.apiKeyEnv && process.env[meilisearch.apiKeyEnv] ? { apiKey: process.env[meilisearch.apiKeyEnv] } : {}),
      })),
    } : {}),
  }
}
