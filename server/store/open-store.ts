import { ConfigError } from '../../config/load-config'
import type { SagasuConfig } from '../../config/schema'
import { openSqliteStore } from './embedded/sqlite-store'
import type { Store } from './store'

/** The store for the configured profile. */
export function openStore(config: SagasuConfig): Store {
  switch (config.store.profile) {
    case 'embedded':
      return openSqliteStore(config.dataDir)
    case 'servers':
      throw new ConfigError('store.profile "servers" (MongoDB + Milvus + Meilisearch) is not available in this version; use "embedded"')
  }
}
