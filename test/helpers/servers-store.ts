import { randomUUID } from 'node:crypto'
import { openServersStore } from '../../server/store/servers/open-servers-store'
import type { Store } from '../../server/store/store'

/** A servers store in a new database of a running MongoDB-wire server (FerretDB in the tests). */
export function openTempServersStore(url: string, database = `sagasu_${randomUUID().slice(0, 8)}`): { database: string; store: Store } {
  return { database, store: openServersStore({ url, database, serverSelectionTimeoutMS: 3_000 }) }
}
