import { StoreUnavailableError } from '../server/store/store-unavailable-error'
import { describeFsError } from '../media/fs-error'
import { StageError } from './stage'

/**
 * errno codes that say the machine is out of something or busy — space, quota, file descriptors,
 * memory, a lock, a network drive's patience — or that the data directory is read-only: trying the
 * same file again later can succeed. EIO is not here: reading a library file it means a bad sector,
 * which stays; writing the data directory it fails the thumbnail stage as transient anyway.
 */
const TRANSIENT_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'ETIMEDOUT', 'ENOMEM', 'EINTR'])

/** SQLite's codes for a database that cannot be written now (full, locked, read-only, failing disk). */
const TRANSIENT_SQLITE = /^SQLITE_(FULL|BUSY|LOCKED|IOERR|READONLY|CANTOPEN|NOMEM|PERM)/

/**
 * Whether a file's failure came from the machine rather than the file, so that the next import
 * should try the file again by itself (a transient error record) instead of waiting for the file to
 * change or `--retry-errors`. Looks through the error's causes.
 *
 * @example
 * isTransientFailure(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })) // true
 */
export function isTransientFailure(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; current instanceof Error && depth < 5; depth++, current = current.cause) {
    if (current instanceof StageError && current.transient) return true
    if (current instanceof StoreUnavailableError) return true
    const code = (current as NodeJS.ErrnoException).code
    if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || TRANSIENT_SQLITE.test(code))) return true
  }
  return false
}

/**
 * The stage error for a library file that could not be stat'ed, opened or read: transient when the
 * machine was short of something (too many open files …), so the next import reads it again.
 */
export function fileReadFailure(error: unknown): StageError {
  return new StageError('read', describeFsError(error), 'error', { transient: isTransientFailure(error), cause: error })
}
