/**
 * PxIMSE's side of the differential: its filter and sort (from the case table) evaluated with
 * mingo over the PxIMSE documents of the generated library, as its MongoDB would.
 */
import { Query } from 'mingo'
import type { PximseCase } from './cases'
import type { PximseDocument } from './library'

/** The images PxIMSE returns for a case, in its order; undefined when it answers with an error or asks meilisearch. */
export function pximseAnswer(pximseCase: PximseCase, documents: PximseDocument[]): number[] | undefined {
  const outcome = pximseCase.pximse
  if ('crash' in outcome || outcome.meili !== undefined || outcome.meiliTags1 !== undefined) return undefined
  const filter = revive(outcome.filter) as Record<string, unknown>
  // MongoDB refuses an expression object of more than one operator ("an object representing an expression must have exactly one field").
  const expr = filter.$expr as Record<string, unknown> | undefined
  if (expr && Object.keys(expr).length !== 1) return undefined
  const found = new Query(filter).find<PximseDocument>(documents)
  return (outcome.sort ? found.sort(outcome.sort) : found).all().map((doc) => doc.n)
}

/** The value a PxIMSE sort key reads from a document (a dotted path), or null. */
export function sortValue(doc: PximseDocument, key: string): unknown {
  let value: unknown = doc
  for (const part of key.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined
  return value ?? null
}

/** `{ $date: '2015-01-01T00:00:00' }` → a Date (naive datetimes as UTC, as the documents' are). */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive)
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
    if (entries.length === 1 && entries[0]![0] === '$date') return new Date(`${entries[0]![1] as string}Z`)
    return Object.fromEntries(entries.map(([key, inner]) => [key, revive(inner)]))
  }
  return value
}
