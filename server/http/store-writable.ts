import type { H3Event } from 'h3'
import type { Store } from '../store/store'
import { badRequestOrThrow, type ErrorBody } from './error-response'

/**
 * For routes that start background work writing to the store (import, retry, a new folder, pixiv
 * metadata): a 503 naming why when the store cannot write now — read-only, full, unreachable —
 * instead of a 202 for work that is bound to fail; undefined when it can.
 *
 * @example
 * const refused = await refuseUnlessWritable(event, store)
 * if (refused) return refused
 */
export async function refuseUnlessWritable(event: H3Event, store: Pick<Store, 'probeWrite'>): Promise<ErrorBody | undefined> {
  try {
    await store.probeWrite()
    return undefined
  } catch (error) {
    return badRequestOrThrow(event, error)
  }
}
