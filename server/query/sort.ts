/**
 * Sort text → sort keys: `filesize;1` ascending, `filesize` or `filesize;-1` descending, several
 * keys separated by `,`. Shares the scanner and diagnostics with the query parser.
 */
import type { ParseResult, SortKey } from './ast'
import { didYouMean, failure } from './diagnostics'
import { canonicalField, FIELDS, isField } from './fields'
import { QUERY_LIMITS } from './parser'
import { scan } from './scanner'

const SORTABLE: readonly string[] = Object.entries(FIELDS)
  .filter(([, info]) => info.sortable)
  .map(([name]) => name)

const DIRECTION_HINT = '1 for ascending, -1 (or nothing) for descending, e.g. filesize;1'

/**
 * Parses sort text. Whitespace is ignored; one leading or trailing `,` is skipped; a field may
 * appear once. Never throws.
 *
 * @example
 * parseSort('filesize;1, added')
 * // { ok: true, value: [ { field: 'filesize', direction: 1, span: { start: 0, end: 10 } }, { field: 'added', direction: -1, span: { start: 12, end: 17 } } ] }
 * parseSort('hash') // { ok: false, error: { message: 'hash cannot be sorted on', position: 0, hint: 'sortable fields: …' } }
 */
export function parseSort(text: string): ParseResult<SortKey[]> {
  const { maxLength } = QUERY_LIMITS
  if (text.length > maxLength) return failure(`the sort is longer than ${maxLength} characters`, maxLength, 'sort on fewer fields')
  const tokens = scan(text).filter((token) => token.kind !== 'space')
  const end = tokens[tokens.length - 1] ?? { kind: 'end', text: '', span: { start: text.length, end: text.length } }
  let i = 0
  const at = () => tokens[i] ?? end
  const keys: SortKey[] = []
  if (at().kind === 'comma') i++
  while (at().kind !== 'end') {
    const head = at()
    if (head.kind === 'comma') return failure('empty sort key', head.span.start, 'remove the extra ","')
    if (head.kind === 'quoted' && !head.terminated) return failure('unterminated quote', head.span.start, 'close it with "')
    if (head.kind !== 'word') return failure(`expected a field to sort on, not "${head.text}"`, head.span.start, 'e.g. filesize;1 or added;-1')
    i++
    let field = canonicalField(head.value)
    if (field.startsWith('tags.')) {
      // A tag's name runs to `;` or `,`, as in a query: `tags.st._louis_(azur_lane);-1`.
      while (at().kind !== 'semi' && at().kind !== 'comma' && at().kind !== 'end') {
        const part = at()
        if (part.kind === 'quoted' && !part.terminated) return failure('unterminated quote', part.span.start, 'close it with "')
        field += part.kind === 'word' || part.kind === 'quoted' ? part.value : part.text
        i++
      }
      if (field === 'tags.') return failure('missing tag name', head.span.start, 'e.g. tags.long_hair;-1 (highest score first)')
      if (field.includes('*')) return failure('a sort takes one tag, not a wildcard', head.span.start, 'e.g. tags.long_hair;-1')
    } else if (!isField(field)) {
      const near = didYouMean(field, SORTABLE)
      const list = `sortable fields: ${SORTABLE.join(', ')}`
      return failure(`unknown sort field "${field}"`, head.span.start, near ? `did you mean "${near}"? ${list}` : list)
    }
    if (isField(field) && !FIELDS[field].sortable) return failure(`${field} cannot be sorted on`, head.span.start, `sortable fields: ${SORTABLE.join(', ')}`)
    if (keys.some((key) => key.field === field)) return failure(`${field} is already in the sort`, head.span.start, 'sort on each field once: remove one of them')
    let direction: 1 | -1 = -1
    let keyEnd = head.span.end
    if (at().kind === 'semi') {
      const semi = at()
      i++
      const value = at()
      if (value.kind === 'word' && (value.text === '1' || value.text === '-1')) {
        direction = value.text === '1' ? 1 : -1
        keyEnd = value.span.end
        i++
      } else if (value.kind === 'end' || value.kind === 'comma') {
        return failure(`missing direction after "${field};"`, semi.span.start, DIRECTION_HINT)
      } else {
        return failure(`sort direction is 1 or -1, not "${value.text.slice(0, 30)}"`, value.span.start, DIRECTION_HINT)
      }
    }
    keys.push({ field, direction, span: { start: head.span.start, end: Math.max(keyEnd, tokens[i - 1]?.span.end ?? keyEnd) } })
    const next = at()
    if (next.kind === 'comma') i++
    else if (next.kind !== 'end') return failure(`expected "," before "${next.text.slice(0, 30)}"`, next.span.start, 'separate sort keys with ","')
  }
  return { ok: true, value: keys }
}
