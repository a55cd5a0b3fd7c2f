import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb'
import { isDuplicateKey, WRITE_CHUNK } from './mongo-collections'

/** Rounds of re-running upserts that lost their insert to another process. */
const MAX_ROUNDS = 5

/**
 * An unordered bulk write of upserts that other processes may run at the same moment (two workers
 * storing tags create the same tag name). Both then try to insert the document: MongoDB retries
 * such an upsert by itself, FerretDB fails the loser with E11000, its change not applied. Those are
 * run again here, now as updates of the document the winner made. Chunks of WRITE_CHUNK.
 */
export async function bulkUpsertInChunks<T extends Document>(collection: Collection<T>, operations: Array<AnyBulkWriteOperation<T>>): Promise<void> {
  for (let from = 0; from < operations.length; from += WRITE_CHUNK) {
    let pending = operations.slice(from, from + WRITE_CHUNK)
    for (let round = 1; pending.length; round++) {
      try {
        await collection.bulkWrite(pending, { ordered: false })
        pending = []
      } catch (error) {
        const lost = duplicateIndexes(error)
        if (!lost?.length || round >= MAX_ROUNDS) throw error
        pending = lost.map((n) => pending[n]!)
      }
    }
  }
}

/** The positions of the operations an unordered write refused as duplicates; undefined for any other error. */
export function duplicateIndexes(error: unknown): number[] | undefined {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []
  if (!list.length) return isDuplicateKey(error) ? [] : undefined
  const indexes: number[] = []
  for (const item of list as Array<{ code?: number; index?: number; err?: { code?: number; index?: number } }>) {
    const code = item.code ?? item.err?.code
    const index = item.index ?? item.err?.index
    if (code !== 11000 || index === undefined) return undefined
    indexes.push(index)
  }
  return indexes
}
