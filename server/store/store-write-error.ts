import { StoreUnavailableError } from './store-unavailable-error'

/**
 * The store answers but cannot write: a read-only or full disk, a database file without write
 * permission, an I/O error, a lock held too long, a MongoDB that is not primary. Like an
 * unreachable backend it is not the request's fault: routes answer 503 naming the reason, and the
 * import keeps the files it could not save for later instead of recording them as broken.
 *
 * @example
 * throw new StoreWriteError('SQLite', '/data/sagasu.db', 'database or disk is full (SQLITE_FULL)')
 */
export class StoreWriteError extends StoreUnavailableError {
  override name = 'StoreWriteError'

  constructor(backend: string, address: string, reason: string) {
    super(backend, address, reason, 'cannot write')
  }
}
