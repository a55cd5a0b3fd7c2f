import xxhash from 'xxhash-wasm'

type Hasher = Awaited<ReturnType<typeof xxhash>>
let hasher: Promise<Hasher> | undefined

/**
 * The content hash that identifies an image across renames and moves: xxhash64, 16 hex digits.
 * Not cryptographic; collisions between distinct images are astronomically unlikely for a collection.
 */
export async function hashContent(buffer: Uint8Array): Promise<string> {
  hasher ??= xxhash()
  const { h64Raw } = await hasher
  return h64Raw(buffer).toString(16).padStart(16, '0')
}

export function isContentHash(value: string): boolean {
  return /^[0-9a-f]{16}$/.test(value)
}
