/**
 * Wraps every method of an object so that what it throws — synchronously, as a rejected promise,
 * or while an async iterable it returned is read — passes through `convert` first. The store
 * profiles use it to turn their drivers' errors into the typed errors routes and workers handle.
 *
 * @example
 * const store = convertErrors(rawStore, (error) => isDiskFull(error) ? new StoreWriteError(…) : error)
 */
export function convertErrors<T extends object>(target: T, convert: (error: unknown) => unknown): T {
  const rethrow = (error: unknown): never => {
    throw convert(error)
  }
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        let result: unknown
        try {
          result = (value as (...a: unknown[]) => unknown).apply(object, args)
        } catch (error) {
          rethrow(error)
        }
        if (result instanceof Promise) return result.catch(rethrow)
        if (isAsyncIterable(result)) return convertIterable(result, rethrow)
        return result
      }
    },
  })
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value
}

async function* convertIterable<T>(iterable: AsyncIterable<T>, rethrow: (error: unknown) => never): AsyncIterable<T> {
  try {
    yield* iterable
  } catch (error) {
    rethrow(error)
  }
}
