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
  if (typeof code === 'number' && UNREACHABLE_CODES.has(code)) return true
  const message = error instanceof Error ? error.message : String(error)
  return /\b(?:14 UNAVAILABLE|4 DEADLINE_EXCEEDED)\b/.test(message)
}

/**
 * gRPC channel options for Milvus clients: a subchannel of their own (grpc-js shares one per address
 * by default, so a new client would inherit another's reconnect backoff), and reconnect attempts at
 * most 5 s apart, so that a Milvus that comes back is used again within seconds.
 */
export const MILVUS_CHANNEL_OPTIONS = {
  'grpc.use_local_subchannel_pool': 1,
  'grpc.initial_reconnect_backoff_ms': 500,
  'grpc.max_reconnect_backoff_ms': 5000,
}
