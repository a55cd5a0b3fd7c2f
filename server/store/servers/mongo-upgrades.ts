import { mayNeedAiReread } from '../ai-reread-rule'
import { bulkWriteInChunks, isDuplicateKey, type ServersCollections } from './mongo-collections'

/**
 * Changes to the documents of an existing servers database, applied in order once each (the
 * counter `schema` records how many ran), as the embedded store's MIGRATIONS. A step must be
 * safe to run twice: two processes opening the database at once may both run it.
 * Never edit a released step: add a new one.
 */
const UPGRADES: ReadonlyArray<(c: ServersCollections) => Promise<void>> = [
  // 1: the AI-metadata readers of issue 15: mark the images whose parameters may be wrong (the rule
  // of the embedded store's migration 12); the next import reads their metadata again.
  async (c) => {
    const marked: number[] = []
    for await (const doc of c.images.find({}, { projection: { id: 1, format: 1, type: 1, ai: 1 } })) {
      if (mayNeedAiReread({ format: doc.format, type: doc.type, ...(doc.ai ? { ai: doc.ai } : {}) })) marked.push(doc.id)
    }
    await bulkWriteInChunks(c.images, marked.map((id) => ({ updateOne: { filter: { _id: id }, update: { $set: { aiReread: true as const } } } })), { ordered: false })
  },
]

export const SERVERS_SCHEMA_VERSION = UPGRADES.length

/** Runs the steps this database has not had yet; refuses a database of a newer Sagasu. */
export async function upgradeDocuments(c: ServersCollections, target = SERVERS_SCHEMA_VERSION): Promise<void> {
  const current = (await c.counters.findOne({ _id: 'schema' }))?.value ?? 0
  if (current > SERVERS_SCHEMA_VERSION) {
    throw new Error(`the MongoDB database was written by a newer Sagasu (schema ${current}, this one knows ${SERVERS_SCHEMA_VERSION}); upgrade Sagasu`)
  }
  for (let version = current; version < target; version++) {
    await UPGRADES[version]!(c)
    await recordVersion(c, version + 1)
  }
}

async function recordVersion(c: ServersCollections, version: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await c.counters.updateOne({ _id: 'schema' }, { $max: { value: version } }, { upsert: true })
      return
    } catch (error) {
      // Two processes opening a new database at once both create the document; the loser updates the winner's.
      if (!isDuplicateKey(error) || attempt >= 3) throw error
    }
  }
}
