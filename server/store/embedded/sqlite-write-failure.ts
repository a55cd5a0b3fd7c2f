import Database from 'better-sqlite3'
import { StoreWriteError } from '../store-write-error'

/**
 * SQLite's result codes that mean the database cannot be written now, whatever was asked: the
 * file or its folder is read-only, the disk is full, the file cannot be opened, the disk failed,
 * another process held the lock past the busy timeout. Extended codes (SQLITE_READONLY_DBMOVED,
 * SQLITE_IOERR_WRITE …) start with these.
 */
const WRITE_FAILURES: Array<[prefix: string, meaning: string]> = [
  ['SQLITE_READONLY', 'the database file or its folder is read-only'],
  ['SQLITE_FULL', 'the disk holding the database is full'],
  ['SQLITE_CANTOPEN', 'the database file (or its -wal/-shm file) cannot be opened'],
  ['SQLITE_IOERR', 'the disk holding the database failed to read or write'],
  ['SQLITE_BUSY', 'another process holds the database locked'],
  ['SQLITE_PERM', 'no permission to write the database'],
]

/**
 * The typed error for a SQLite failure that means the store cannot write (see WRITE_FAILURES),
 * naming the file and the reason; any other error is returned as it is.
 *
 * @example
 * sqliteWriteFailure(error, '/data/sagasu.db') // StoreWriteError: SQLite at /data/sagasu.db cannot write: the disk holding the database is full (SQLITE_FULL: database or disk is full)
 */
export function sqliteWriteFailure(error: unknown, file: string): unknown {
  if (!(error instanceof Database.SqliteError)) return error
  const failure = WRITE_FAILURES.find(([prefix]) => error.code.startsWith(prefix))
  if (!failure) return error
  return new StoreWriteError('SQLite', file, `${failure[1]} (${error.code}: ${error.message})`)
}
