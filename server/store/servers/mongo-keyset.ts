import type { SortKey } from '../../query/ast'
import type { SortCursor } from '../store'
import { compileMongoSort, type MongoFilter } from './mongo-filter'

/**
 * The sort paths in order, up to and including `id` (unique: later keys never decide), ending in
 * `id` descending when the sort does not name it.
 */
export function sortPaths(keys: SortKey[]): Array<[string, 1 | -1]> {
  const entries = Object.entries(compileMongoSort(keys)) as Array<[string, 1 | -1]>
  const idAt = entries.findIndex(([path]) => path === 'id')
  return entries.slice(0, idAt + 1)
}

/** The values of a document at the sort paths other than `id` (null when absent): the next page's cursor. */
export function cursorOf(document: Record<string, unknown>, keys: SortKey[]): SortCursor {
  const values = sortPaths(keys).filter(([path]) => path !== 'id').map(([path]) => valueAt(document, path))
  return { values, id: document.id as number }
}

/**
 * Documents strictly after the cursor in the sort order: (k1 after v1) OR (k1 = v1 AND k2 after v2) …
 * A missing value sorts before every other (as MongoDB and SQLite both sort it), so "after missing"
 * ascending is "has a value", and nothing is after it descending.
 *
 * @example
 * compileMongoKeyset([{ field: 'width', direction: 1, span }], { values: [800], id: 7 })
 * // { $or: [{ width: { $gt: 800 } }, { width: { $eq: 800 }, id: { $lt: 7 } }] }
 */
export function compileMongoKeyset(keys: SortKey[], cursor: SortCursor): MongoFilter {
  const paths = sortPaths(keys)
  const values = [...cursor.values, cursor.id]
  const branches: MongoFilter[] = []
  for (let k = 0; k < paths.length; k++) {
    const [path, direction] = paths[k]!
    const after = isAfter(path, direction, values[k] ?? null)
    if (!after) continue
    const equal = paths.slice(0, k).map(([earlier], j) => isEqual(earlier, values[j] ?? null))
    branches.push(equal.length ? { $and: [...equal, after] } : after)
  }
  if (!branches.length) return { $nor: [{}] }
  return branches.length === 1 ? branches[0]! : { $or: branches }
}

function isEqual(path: string, value: string | number | boolean | null): MongoFilter {
  return value === null ? { [path]: { $exists: false } } : { [path]: { $eq: value } }
}

function isAfter(path: string, direction: 1 | -1, value: string | number | boolean | null): MongoFilter | undefined {
  if (value === null) return direction === 1 ? { [path]: { $exists: true } } : undefined
  return direction === 1
    ? { [path]: { $gt: value } }
    : { $or: [{ [path]: { $lt: value } }, { [path]: { $exists: false } }] }
}

function valueAt(document: Record<string, unknown>, path: string): string | number | boolean | null {
  let value: unknown = document
  for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part]
  return value === undefined || value === null ? null : (value as string | number | boolean)
}
