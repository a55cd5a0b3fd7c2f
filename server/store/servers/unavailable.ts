import { MongoNetworkError, MongoNotConnectedError, MongoServerError, MongoServerSelectionError, MongoTopologyClosedError } from 'mongodb'
import { convertErrors } from '../convert-errors'
import { StoreUnavailableError } from '../store-unavailable-error'
import { StoreWriteError } from '../store-write-error'

/** Whether a driver error means the server cannot be reached (rather than a bad request or a bug). */
export function isUnreachable(error: unknown): boolean {
  return error instanceof MongoServerSelectionError || error instanceof MongoNetworkError
    || error instanceof MongoNotConnectedError || error instanceof MongoTopologyClosedError
}

/**
 * MongoDB's answers that mean it cannot take writes now (not the request's fault): not the primary
 * (any more), shutting down, out of disk space, or a user without write permission.
 */
const CANNOT_WRITE = new Set(['NotWritablePrimary', 'NotPrimaryNoSecondaryOk', 'NotPrimaryOrSecondary', 'PrimarySteppedDown', 'ShutdownInProgress',
  'InterruptedAtShutdown', 'OutOfDiskSpace', 'Unauthorized'])

/** Whether MongoDB answered that it cannot write now. */
function cannotWrite(error: unknown): boolean {
  return error instanceof MongoServerError && CANNOT_WRITE.has(error.codeName ?? '')
}

/**
 * Wraps every async method of an object so that a MongoDB connection failure surfaces as a
 * StoreUnavailableError naming the backend and its address, and a MongoDB that cannot write as a
 * StoreWriteError; other errors pass unchanged.
 *
 * @example
 * const store = reportUnavailable(new ServersStore(…), 'MongoDB', 'mongodb://db:27017')
 */
export function reportUnavailable<T extends object>(target: T, backend: string, address: string): T {
  return convertErrors(target, (error) => {
    if (isUnreachable(error)) return new StoreUnavailableError(backend, address, (error as Error).message)
    if (cannotWrite(error)) return new StoreWriteError(backend, address, `${(error as MongoServerError).message} (${(error as MongoServerError).codeName})`)
    return error
  })
}
