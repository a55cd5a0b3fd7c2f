import { MongoClient } from 'mongodb'
import type { Store } from '../store'
import type { MilvusFilterCompiler, ServerFullText, ServerVectorIndex } from './backends'
import { ServersStore, type ServersStoreOptions } from './servers-store'
import { reportUnavailable } from './unavailable'

export interface OpenServersStoreOptions {
  /** `mongodb://…` connection string. */
  url: string
  database: string
  /** How long an operation waits for a reachable server before failing with StoreUnavailableError. */
  serverSelectionTimeoutMS?: number
  vectors?: ServerVectorIndex
  vectorFilterFor?: MilvusFilterCompiler
  vectorScalarsFor?: ServersStoreOptions['vectorScalarsFor']
  fullText?: ServerFullText
}

/**
 * The servers store on a MongoDB (or FerretDB) server. It connects on first use, so opening never
 * fails; an unreachable server makes each operation throw StoreUnavailableError naming MongoDB
 * and the address (without credentials).
 *
 * @example
 * const store = openServersStore({ url: 'mongodb://127.0.0.1:27017', database: 'sagasu' })
 */
export function openServersStore(options: OpenServersStoreOptions): Store {
  const client = new MongoClient(options.url, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
    ignoreUndefined: true,
  })
  const store = new ServersStore({
    client,
    database: options.database,
    ...(options.vectors ? { vectors: options.vectors } : {}),
    ...(options.vectorFilterFor ? { vectorFilterFor: options.vectorFilterFor } : {}),
    ...(options.vectorScalarsFor ? { vectorScalarsFor: options.vectorScalarsFor } : {}),
    ...(options.fullText ? { fullText: options.fullText } : {}),
  })
  return reportUnavailable<Store>(store, 'MongoDB', redact(options.url))
}

/** A connection string without its user and password. */
export function redact(url: string): string {
  return url.replace(/^(mongodb(?:\+srv)?:\/\/)[^@/]*@/, '$1')
}
