import { inflateSync } from 'node:zlib'

/**
 * Largest inflated metadata payload we accept. Real parameters/workflow text
 * is at most a few MiB; anything bigger is a zip bomb or corruption.
 */
export const MAX_INFLATED_BYTES = 16 * 1024 * 1024

/**
 * Inflates zlib data, giving undefined for corrupt streams or output beyond
 * `maxBytes`. maxOutputLength makes zlib stop as soon as the cap is crossed,
 * so a bomb never gets fully expanded in memory.
 */
export function inflateCapped(data: Uint8Array, maxBytes: number = MAX_INFLATED_BYTES): Buffer | undefined {
  try {
    return inflateSync(data, { maxOutputLength: maxBytes })
  } catch {
    return undefined
  }
}
