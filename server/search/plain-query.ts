import { IMAGE_FIELDS, isImageField } from '../store/fields'
import type { CompareOp, FieldCondition, SortKey } from '../store/store'

/** A query the user must fix: HTTP 400 / CLI exit 2, with where it went wrong. */
export class QueryError extends Error {
  override name = 'QueryError'
  constructor(message: string, readonly position: number, readonly hint?: string) {
    super(message)
  }
}

const OPS: CompareOp[] = ['<=', '>=', '!=', '<', '>', '=']

/**
 * The interim query form until the full query language lands: `field;<op>value` clauses joined
 * by `,`, e.g. `type;="pixiv",width;>=1920`. Strings may be quoted; numbers and dates are typed
 * by the field.
 */
export function parsePlainQuery(text: string): FieldCondition[] {
  const conditions: FieldCondition[] = []
  let offset = 0
  for (const clause of text.split(',')) {
    const position = offset
    offset += clause.length + 1
    if (!clause.trim()) continue
    const semi = clause.indexOf(';')
    if (semi < 0) throw new QueryError(`expected field;<op>value, got "${clause.trim()}"`, position, 'for example type;="pixiv"')
    const field = clause.slice(0, semi).trim()
    if (!isImageField(field)) throw new QueryError(`unknown field "${field}"`, position, `known fields: ${Object.keys(IMAGE_FIELDS).join(', ')}`)
    const rest = clause.slice(semi + 1).trim()
    const op = OPS.find((candidate) => rest.startsWith(candidate))
    if (!op) throw new QueryError(`expected one of ${OPS.join(' ')} after "${field};"`, position + semi + 1)
    conditions.push({ field, op, value: typedValue(field, unquote(rest.slice(op.length).trim()), position + semi + 1 + op.length) })
  }
  return conditions
}

/** `filesize;1` ascending, `filesize` or `filesize;-1` descending; several keys comma-separated. */
export function parseSort(text: string): SortKey[] {
  const keys: SortKey[] = []
  let offset = 0
  for (const part of text.split(',')) {
    const position = offset
    offset += part.length + 1
    if (!part.trim()) continue
    const [field = '', direction = '-1', ...extra] = part.trim().split(';')
    if (!isImageField(field)) throw new QueryError(`cannot sort by unknown field "${field}"`, position, `known fields: ${Object.keys(IMAGE_FIELDS).join(', ')}`)
    if (extra.length || !['1', '-1'].includes(direction.trim())) throw new QueryError(`sort direction must be 1 or -1, got "${part.trim()}"`, position)
    keys.push({ field, direction: direction.trim() === '1' ? 1 : -1 })
  }
  return keys
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
}

function typedValue(field: keyof typeof IMAGE_FIELDS, raw: string, position: number): string | number {
  const type = IMAGE_FIELDS[field]
  if (type === 'string') return raw
  if (type === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new QueryError(`${field} is true or false, got "${raw}"`, position)
    return raw === 'true' ? 1 : 0
  }
  if (type === 'date') {
    const ms = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw.length === 10 ? `${raw}T00:00:00Z` : raw) : Number.NaN
    if (Number.isNaN(ms)) throw new QueryError(`${field} needs a date like 2024-01-31, got "${raw}"`, position)
    return ms
  }
  const number = Number(raw)
  if (raw === '' || !Number.isFinite(number)) throw new QueryError(`${field} needs a number, got "${raw}"`, position)
  return number
}
