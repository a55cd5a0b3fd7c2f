import type { Collection, Document, IndexDescription } from 'mongodb'
import { FIELDS } from '../../query/fields'
import type { ServersCollections } from './mongo-collections'

/** Document paths of sortable fields that are not plain top-level names. */
const SORT_PATHS: Record<string, string> = { seed: 'ai.seed', steps: 'ai.steps', cfg: 'ai.cfg', sampler: 'ai.sampler', model: 'ai.model' }

/**
 * The images collection's indexes: every field the query language filters or sorts on, each
 * with `id` after it so a sorted page walks the index in the order the tie-break needs, plus the
 * lookups of the store itself (path, hash, tags, stages).
 */
export function imageIndexes(): IndexDescription[] {
  const indexes: IndexDescription[] = [
    { key: { folder: 1, path: 1 }, name: 'folder_path', unique: true },
    { key: { hash: 1, id: 1 }, name: 'hash_id' },
    { key: { tagNames: 1 }, name: 'tagNames' },
    { key: { tags1: 1 }, name: 'tags1' },
    { key: { embedded: 1 }, name: 'embedded' },
    { key: { type: 1, illustid: 1 }, name: 'type_illustid' },
    { key: { type: 1, userid: 1 }, name: 'type_userid' },
  ]
  for (const [name, info] of Object.entries(FIELDS)) {
    if (name === 'id' || name === 'folder' || name === 'hash') continue
    if (!info.sortable) continue
    const path = SORT_PATHS[name] ?? name
    indexes.push({ key: { [path]: 1, id: -1 }, name: `${path.replace('.', '_')}_id` })
  }
  indexes.push({ key: { id: 1 }, name: 'id' })
  return indexes
}

/**
 * Creates the indexes a collection lacks, one at a time: FerretDB v1 drops the connection (a panic
 * on its side) when one createIndexes command names several indexes and some already exist.
 */
async function ensure<T extends Document>(collection: Collection<T>, indexes: IndexDescription[]): Promise<void> {
  // listIndexes fails for a collection that does not exist yet: then none exists.
  const existing = new Set((await collection.listIndexes().toArray().catch(() => [])).map((index) => index.name as string))
  for (const index of indexes) {
    if (!existing.has(index.name!)) await collection.createIndexes([index])
  }
}

/** Creates every index the servers store uses (a no-op for those that exist). */
export async function ensureIndexes(collections: ServersCollections): Promise<void> {
  await ensure(collections.images, imageIndexes())
  await ensure(collections.tags, [{ key: { count: -1, _id: 1 }, name: 'count' }])
  // One record per file and stage since issue 15 (an AI-metadata warning next to a probe warning):
  // the older index, unique per file, goes first.
  await collections.errors.dropIndex('folder_path').catch(() => undefined)
  await ensure(collections.errors, [
    { key: { folder: 1, path: 1, stage: 1 }, name: 'folder_path_stage', unique: true },
    { key: { at: 1, folder: 1, path: 1 }, name: 'at' },
  ])
  await ensure(collections.jobs, [
    { key: { kind: 1, key: 1 }, name: 'kind_key', unique: true },
    { key: { kind: 1, status: 1, _id: 1 }, name: 'claim' },
    { key: { status: 1, worker: 1 }, name: 'worker' },
  ])
  await ensure(collections.jobClaims, [{ key: { job: 1 }, name: 'job' }])
  await ensure(collections.stageLeases, [{ key: { stage: 1, image: 1 }, name: 'stage_image' }, { key: { worker: 1 }, name: 'worker' }])
  await ensure(collections.batchSets, [{ key: { seq: 1 }, name: 'seq' }])
  await ensure(collections.batchMembers, [{ key: { set: 1, split: 1, position: 1 }, name: 'set_split_position', unique: true }])
}
