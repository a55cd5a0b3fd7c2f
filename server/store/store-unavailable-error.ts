/**
 * A backend of the store cannot be reached (down, refusing connections, timing out): not the
 * request's fault, so routes answer 503 naming the backend, the CLI says which server to start,
 * and workers retry with backoff.
 *
 * @example
 * throw new StoreUnavailableError('MongoDB', 'mongodb://db:27017', 'connect ECONNREFUSED')
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError'
  /** Read by h3 when a route lets the error through: any route answers 503, not 500. */
  readonly statusCode = 503
  readonly statusMessage: string
  readonly data: { error: { message: string } }

  constructor(readonly backend: string, readonly address: string, reason: string, failure: 'is unavailable' | 'cannot write' = 'is unavailable') {
    super(`${backend} at ${address} ${failure}: ${reason}`)
    this.statusMessage = `${backend} ${failure === 'is unavailable' ? 'unavailable' : 'cannot write'}`
    this.data = { error: { message: this.message } }
  }
}
