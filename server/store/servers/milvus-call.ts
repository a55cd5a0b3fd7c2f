import { StoreUnavailableError } from '../store-unavailable-error'

/** gRPC status codes that mean the server could not be reached or did not answer in time. */
const UNREACHABLE_CODES = new Set([
  14, // UNAVAILABLE: connection refused or dropped
  4, // DEADLINE_EXCEEDED: no answer within the call's timeout
])

interface MilvusStatus {
  error_code: string | number
  reason: string
}

/**
 * Runs one Milvus SDK call: a server that cannot be reached becomes a StoreUnavailableError naming
 * Milvus and its address; an answer whose status is not Success (the SDK returns those rather
 * than throwing) becomes an Error saying what failed and Milvus's reason.
 *
 * @example
 * const result = await milvusCall('127.0.0.1:19530', 'search sagasu_clip', () => client.search(request))
 */
export async function milvusCall<T extends { status?: MilvusStatus } | MilvusStatus>(address: string, what: string, call: () => Promise<T>): Promise<T> {
  let result: T
  try {
    result = await call()
  } catch (error) {
    if (isUnreachable(error)) throw new StoreUnavailableError('Milvus', address, `${what}: ${(error as Error).message}`)
    throw new Error(`Milvus ${what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  const status = 'status' in result && result.status ? result.status : (result as MilvusStatus)
  if (status.error_code !== undefined && status.error_code !== 'Success' && status.error_code !== 0) {
    throw new Error(`Milvus ${what} failed: ${status.reason || String(status.error_code)}`)
  }
  return result
}

/** By the gRPC status code, or the message the SDK re-wraps it in (`Error: 14 UNAVAILABLE: …`). */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'number') return UNREACHABLE_CODES.has(code)
  const match = /^(?:Error: )?(\d+) (?:UNAVAILABLE|DEADLINE_EXCEEDED)\b/.exec(error instanceof Error ? error.message : String(error))
  return match !== null && UNREACHABLE_CODES.has(Number(match[1]))
}
