import type { SagasuConfig } from '../../config/schema'
import type { BackendsHealth } from '../../shared/types/api'
import { HEALTH_TIMEOUT_MS, pingMeili, pingMilvus, pingMongo } from '../store/servers/backend-pings'

const running = new WeakMap<SagasuConfig, Promise<BackendsHealth>>()

/**
 * Whether the configured store's backends answer, for GET /api/health: the servers profile pings
 * MongoDB, Milvus and Meilisearch (when configured) at once, each given `timeoutMs`, so the answer
 * never takes much longer; a backend that is down is reported with its reason, never thrown. The
 * embedded profile's SQLite file is opened in-process and is reported as answering.
 * Requests that arrive while a check runs share its answer (the UI asks on every page load).
 *
 * @example
 * await backendHealth(config) // { mongodb: { ok: true }, milvus: { ok: false, reason: 'not answering at 127.0.0.1:19530: …' } }
 */
export function backendHealth(config: SagasuConfig, timeoutMs = HEALTH_TIMEOUT_MS): Promise<BackendsHealth> {
  const current = running.get(config)
  if (current) return current
  const check = checkBackends(config, timeoutMs).finally(() => running.delete(config))
  running.set(config, check)
  return check
}

async function checkBackends(config: SagasuConfig, timeoutMs: number): Promise<BackendsHealth> {
  if (config.store.profile === 'embedded') return { sqlite: { ok: true } }
  const { mongodb, milvus, meilisearch } = config.store.servers
  const apiKey = meilisearch?.apiKeyEnv ? process.env[meilisearch.apiKeyEnv] : undefined
  const [mongo, vectors, text] = await Promise.all([
    pingMongo(mongodb.url, timeoutMs),
    pingMilvus({ address: milvus.address, ...(milvus.token ? { token: milvus.token } : {}) }, timeoutMs),
    meilisearch ? pingMeili({ url: meilisearch.url, ...(apiKey ? { apiKey } : {}) }, timeoutMs) : undefined,
  ])
  return { mongodb: mongo, milvus: vectors, ...(text ? { meilisearch: text } : {}) }
}
