import { MilvusClient } from '@zilliz/milvus2-sdk-node'
import { Meilisearch, MeilisearchRequestError, MeilisearchRequestTimeOutError } from 'meilisearch'
import { MongoClient } from 'mongodb'
import type { BackendHealth } from '../../../shared/types/api'
import { isUnreachable as milvusUnreachable, MILVUS_CHANNEL_OPTIONS } from './milvus-call'
import { writeHealthProbe, type CounterDocument } from './mongo-collections'
import { redact } from './open-servers-store'
import { isUnreachable as mongoUnreachable } from './unavailable'

/**
 * Live checks of the servers profile's backends for GET /api/health. Each opens a connection of its
 * own and closes it: the store's long-lived clients would answer from their state (a gRPC channel in
 * reconnect backoff reports a Milvus that is back as down for seconds; a MongoDB client waits its
 * whole server selection timeout), and the store opens Milvus by loading every collection, which a
 * health check must not set off.
 */

/** How long a health check waits for each backend. */
export const HEALTH_TIMEOUT_MS = 2_000

/** The clients' own timeouts: shorter than the check's, so that their reason (connection refused…) arrives in time. */
const clientTimeout = (timeoutMs: number) => Math.round(timeoutMs * 0.8)

/** A backend's answer, failure, or silence within `timeoutMs`, as a health entry; never rejects. */
export async function probe(address: string, timeoutMs: number, ping: () => Promise<void>): Promise<BackendHealth> {
  let timer: NodeJS.Timeout | undefined
  const silence = new Promise<BackendHealth>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer from ${address} within ${timeoutMs / 1000} s` }), timeoutMs)
  })
  const answer = ping().then(
    (): BackendHealth => ({ ok: true }),
    (error: unknown): BackendHealth => ({ ok: false, reason: error instanceof BackendDown ? error.message : `${address}: ${oneLine(error)}` }),
  )
  try {
    return await Promise.race([answer, silence])
  } finally {
    clearTimeout(timer)
  }
}

/** A failure whose message is the whole reason (it names the address itself). */
class BackendDown extends Error {}

/**
 * MongoDB's `ping` command on the admin database, then — given the store's database — a write of
 * the one counter document nothing reserves ids from, so a MongoDB that answers but cannot write
 * (not primary, disk full, a read-only user) is reported too.
 */
export function pingMongo(url: string, timeoutMs = HEALTH_TIMEOUT_MS, database?: string): Promise<BackendHealth> {
  const address = redact(url)
  return probe(address, timeoutMs, async () => {
    const client = new MongoClient(url, {
      serverSelectionTimeoutMS: clientTimeout(timeoutMs), connectTimeoutMS: clientTimeout(timeoutMs), socketTimeoutMS: clientTimeout(timeoutMs),
    })
    try {
      await client.db('admin').command({ ping: 1 })
      if (database) {
        await writeHealthProbe(client.db(database).collection<CounterDocument>('counters'))
          .catch((error: unknown) => {
            throw mongoUnreachable(error) ? error : new BackendDown(`cannot write at ${address}: ${oneLine(error)}`)
          })
      }
    } catch (error) {
      if (error instanceof BackendDown) throw error
      throw mongoUnreachable(error) ? new BackendDown(`not answering at ${address}: ${oneLine(error)}`) : error
    } finally {
      await client.close().catch(() => undefined)
    }
  })
}

export interface MilvusPingOptions {
  address: string
  token?: string
}

/** Milvus's CheckHealth call: it answers whether every component it runs is healthy. */
export function pingMilvus(options: MilvusPingOptions, timeoutMs = HEALTH_TIMEOUT_MS): Promise<BackendHealth> {
  const { address } = options
  return probe(address, timeoutMs, async () => {
    const client = new MilvusClient({
      address, token: options.token, timeout: clientTimeout(timeoutMs), maxRetries: 0, logLevel: 'error', channelOptions: { ...MILVUS_CHANNEL_OPTIONS },
    })
    client.connectPromise.catch(() => undefined)
    let health: { isHealthy?: boolean; reasons?: string[] }
    try {
      health = await client.checkHealth()
    } catch (error) {
      throw milvusUnreachable(error) ? new BackendDown(`not answering at ${address}: ${oneLine(error)}`) : error
    } finally {
      client.closeConnection()
    }
    if (!health.isHealthy) throw new BackendDown(`unhealthy at ${address}: ${health.reasons?.join('; ') || 'no reason given'}`)
  })
}

export interface MeiliPingOptions {
  url: string
  apiKey?: string
}

/** Meilisearch's GET /health, which answers `{"status":"available"}`. */
export function pingMeili(options: MeiliPingOptions, timeoutMs = HEALTH_TIMEOUT_MS): Promise<BackendHealth> {
  return probe(options.url, timeoutMs, async () => {
    const client = new Meilisearch({ host: options.url, apiKey: options.apiKey, timeout: clientTimeout(timeoutMs) })
    let status: string
    try {
      status = (await client.health()).status
    } catch (error) {
      const unreachable = error instanceof MeilisearchRequestError || error instanceof MeilisearchRequestTimeOutError
      throw unreachable ? new BackendDown(`not answering at ${options.url}: ${oneLine(error)}`) : error
    }
    if (status !== 'available') throw new BackendDown(`${options.url} says its status is ${JSON.stringify(status)}`)
  })
}

/** The error's message and its causes' (Meilisearch's client and fetch hide ECONNREFUSED two causes down). */
function oneLine(error: unknown): string {
  let text = error instanceof Error ? error.message : String(error)
  for (let cause = (error as Error | undefined)?.cause, depth = 0; cause instanceof Error && depth < 3; cause = cause.cause, depth++) {
    if (!text.includes(cause.message)) text += `: ${cause.message}`
  }
  return text.replace(/\s+/g, ' ').trim()
}
