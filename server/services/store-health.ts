import type { SagasuConfig } from '../../config/schema'

/**
 * What answers the full-text clauses (`m;`, `mt;`, `prompt;`, `negative;`) for the configured
 * profile, for GET /api/health: without Meilisearch the servers profile falls back to a MongoDB
 * regex match, which is exact but scans, and the health report says so.
 */
export function storeHealth(config: SagasuConfig): Record<string, string> {
  if (config.store.profile === 'embedded') return { fullTextIndex: 'sqlite' }
  if (config.store.servers.meilisearch) return { fullTextIndex: 'meilisearch', vectorIndex: 'milvus' }
  return {
    fullTextIndex: 'mongodb regex',
    fullTextReason: 'no store.servers.meilisearch configured: full-text clauses use a slower MongoDB regex match',
    vectorIndex: 'milvus',
  }
}
