import { MongoNetworkError, MongoNotConnectedError, MongoServerSelectionError, MongoTopologyClosedError } from 'mongodb'
import { StoreUnavailableError } from '../store-unavailable-error'

/** Whether a driver error means the server cannot be reached (rather than a bad request or a bug). */
export function isUnreachable(error: unknown): boolean {
  return error instanceof MongoServerSelectionError || error instanceof MongoNetworkError
    || error instanceof MongoNotConnectedError || error instanceof MongoTopologyClosedError
}

/**
 * Wraps every async method of an object so that a MongoDB connection failure surfaces as a
 * StoreUnavailableError naming the backend and its address; other errors pass unchanged.
 *
 * @example
 * const store = reportUnavailable(new ServersStore(…), 'MongoDB', 'mongodb://db:27017')
 */
export function reportUnavailable<T extends object>(target: T, backend: string, address: string): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown
      if (typeof value !== 'function') return value
      const convert = (error: unknown): never => {
        throw isUnreachable(error) ? new StoreUnavailableError(backend, address, (error as Error).message) : error
      }
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(object, args)
        if (result instanceof Promise) return result.catch(convert)
        if (isAsyncIterable(result)) return convertIterable(result, convert)
        return result
      }
    },
  })
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value
}

async function* convertIterable<T>(iterable: AsyncIterable<T>, convert: (error: unknown) => never): AsyncIterable<T> {
  try {
    yield* iterable
  } catch (error) {
    convert(error)
  }
}
