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
 * Turns the errors that mean "bad request" into 400s, and a store backend that cannot be reached
 * into a 503 naming it; anything else is a real server fault.
 */
export function badRequestOrThrow(event: H3Event, error: unknown): ErrorBody {
  if (error instanceof StoreUnavailableError) return errorResponse(event, 503, error.message)
  if (error instanceof QueryError) return errorResponse(event, 400, error.message, { position: error.position, ...(error.hint ? { hint: error.hint } : {}) })
  if (error instanceof VectorInputError) return errorResponse(event, 400, error.message)
  throw error
}
