import type { SagasuConfig } from '../../config/schema'
import type { BackendsHealth } from '../../shared/types/api'
import { HEALTH_TIMEOUT_MS, pingMeili, pingMilvus, pingMongo } from '../store/servers/backend-pings'
import type { Store } from '../store/store'

const running = new WeakMap<SagasuConfig, Promise<BackendsHealth>>()

/**
 * Whether the configured store's backends answer and can write, for GET /api/health: the servers
 * profile pings MongoDB (and writes to it), Milvus and Meilisearch (when configured) at once, each
 * given `timeoutMs`, so the answer never takes much longer; a backend that is down or cannot write is
 * reported with its reason, never thrown. The embedded profile's SQLite file is opened in-process:
 * given the store, one small write proves it can still be written (read-only or full disk, lost
 * permission, I/O errors are reported). Requests that arrive while a check runs share its answer
 * (the UI asks on every page load).
 *
 * @example
 * await backendHealth(config) // { mongodb: { ok: true }, milvus: { ok: false, reason: 'not answering at 127.0.0.1:19530: …' } }
 */
export function backendHealth(config: SagasuConfig, timeoutMs = HEALTH_TIMEOUT_MS, store?: Pick<Store, 'probeWrite'>): Promise<BackendsHealth> {
  const current = running.get(config)
  if (current) return current
  const check = checkBackends(config, timeoutMs, store).finally(() => running.delete(config))
  running.set(config, check)
  return check
}

async function checkBackends(config: SagasuConfig, timeoutMs: number, store: Pick<Store, 'probeWrite'> | undefined): Promise<BackendsHealth> {
  if (config.store.profile === 'embedded') {
    if (!store) return { sqlite: { ok: true } }
    return { sqlite: await store.probeWrite().then(() => ({ ok: true as const }), (error: unknown) => ({ ok: false as const, reason: error instanceof Error ? error.message : String(error) })) }
  }
  const { mongodb, milvus, meilisearch } = config.store.servers
  const apiKey = meilisearch?.apiKeyEnv ? process.env[meilisearch.apiKeyEnv] : undefined
  const [mongo, vectors, text] = await Promise.all([
    pingMongo(mongodb.url, timeoutMs, mongodb.database),
    pingMilvus({ address: milvus.address, ...(milvus.token ? { token: milvus.token } : {}) }, timeoutMs),
    meilisearch ? pingMeili({ url: meilisearch.url, ...(apiKey ? { apiKey } : {}) }, timeoutMs) : undefined,
  ])
  return { mongodb: mongo, milvus: vectors, ...(text ? { meilisearch: text } : {}) }
}
