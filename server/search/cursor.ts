import type { SortCursor } from '../store/store'
import { QueryError } from './query-error'

interface CursorBody {
  /** Fingerprint of the query and sort the cursor was made for. */
  f: string
  v: SortCursor['values']
  i: number
}

/** An opaque page cursor: where the page ended, bound to the query and sort that made it. */
export function encodeCursor(cursor: SortCursor, fingerprint: string): string {
  const body: CursorBody = { f: fingerprint, v: cursor.values, i: cursor.id }
  return Buffer.from(JSON.stringify(body)).toString('base64url')
}

export function decodeCursor(text: string, fingerprint: string): SortCursor {
  let body: CursorBody
  try {
    body = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as CursorBody
  } catch {
    throw new QueryError({ message: 'cursor is not valid', position: 0, hint: 'pass back the nextCursor of the previous page unchanged' })
  }
  const valid = body && typeof body === 'object' && typeof body.f === 'string' && Array.isArray(body.v) && Number.isInteger(body.i)
    && body.v.every((value) => value === null || ['string', 'number', 'boolean'].includes(typeof value))
  if (!valid) throw new QueryError({ message: 'cursor is not valid', position: 0, hint: 'pass back the nextCursor of the previous page unchanged' })
  if (body.f !== fingerprint) throw new QueryError({ message: 'cursor belongs to another query or sort', position: 0, hint: 'start again without a cursor' })
  return { values: body.v, id: body.i }
}

/** A short stable hash (FNV-1a) of the canonical query and sort text. */
export function fingerprint(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0).toString(36)
}
