import { setResponseStatus, type H3Event } from 'h3'
import { QueryError } from '../search/query-error'
import { StoreUnavailableError } from '../store/store-unavailable-error'
import { VectorInputError } from '../store/vector-input-error'

export interface ErrorBody {
  error: { message: string; position?: number; hint?: string }
}

/** A JSON error body `{error: {message, …}}` with its status. */
export function errorResponse(event: H3Event, status: number, message: string, extra: Omit<ErrorBody['error'], 'message'> = {}): ErrorBody {
  setResponseStatus(event, status)
  return { error: { message, ...extra } }
}

/**
 * Turns the errors that mean "bad request" into 400s, and a store backend that cannot be reached or
 * written (StoreWriteError is a StoreUnavailableError), or a file the server could not write (full
 * or read-only disk, lost permission), into a 503 naming why; anything else is a real server fault.
 */
export function badRequestOrThrow(event: H3Event, error: unknown): ErrorBody {
  if (error instanceof StoreUnavailableError) return errorResponse(event, 503, error.message)
  const cannotWrite = fileWriteFailure(error)
  if (cannotWrite) return errorResponse(event, 503, cannotWrite)
  if (error instanceof QueryError) return errorResponse(event, 400, error.message, { position: error.position, ...(error.hint ? { hint: error.hint } : {}) })
  if (error instanceof VectorInputError) return errorResponse(event, 400, error.message)
  throw error
}

/** errno codes of a write the machine refused: not the request's fault, and it may work later. */
const WRITE_REFUSED = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EMFILE', 'ENFILE', 'EBUSY'])

/** "cannot write <path>: <reason>" for a filesystem write the machine refused, else undefined. */
function fileWriteFailure(error: unknown): string | undefined {
  const failure = error as NodeJS.ErrnoException | undefined
  if (!(failure instanceof Error) || !failure.code || !WRITE_REFUSED.has(failure.code)) return undefined
  if (!['open', 'write', 'rename', 'mkdir', 'copyfile', 'unlink'].includes(failure.syscall ?? '')) return undefined
  return `cannot write ${failure.path ?? 'a file'}: ${failure.message}`
}
