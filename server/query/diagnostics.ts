/**
 * Building the errors of the query language: a short message, the 0-based position it is about, and
 * a hint saying what would work. Errors are values (`{ ok: false, error }`), never exceptions.
 */
import type { ParseResult, QueryDiagnostic } from './ast'
import { EXISTS_ONLY, FIELDS, isField, knownFieldList, TEXT_PREFIXES } from './fields'

/**
 * The failing half of a ParseResult; assignable to `ParseResult<T>` for every T.
 *
 * @example
 * const failed: Failure = { ok: false, error: { message: 'unmatched ")"', position: 4 } }
 */
export type Failure = { ok: false; error: QueryDiagnostic }

/**
 * An error result at `position`.
 *
 * @example
 * failure('unmatched ")"', 4, 'remove it, or add a "(" before it')
 * // { ok: false, error: { message: 'unmatched ")"', position: 4, hint: 'remove it, or add a "(" before it' } }
 */
export function failure(message: string, position: number, hint?: string): Failure {
  return { ok: false, error: hint === undefined ? { message, position } : { message, position, hint } }
}

/**
 * The same error moved by `offset` characters (for errors found inside a value that starts there).
 *
 * @example
 * shifted({ ok: false, error: { message: 'bad', position: 2 } }, 10) // { ok: false, error: { message: 'bad', position: 12 } }
 */
export function shifted(result: Failure, offset: number): Failure {
  return { ok: false, error: { ...result.error, position: result.error.position + offset } }
}

/**
 * Optimal-string-alignment edit distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each count 1 (`widht` is 1 away from `width`).
 *
 * @example
 * editDistance('widht', 'width') // 1
 * editDistance('hieght', 'height') // 1
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[] = new Array<number>(rows * cols).fill(0)
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0
  for (let i = 0; i < rows; i++) d[i * cols] = i
  for (let j = 0; j < cols; j++) d[j] = j
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1)
      d[i * cols + j] = best
    }
  }
  return at(a.length, b.length)
}

/**
 * The candidate nearest to `name` when it is at most 2 edits away (the first of equally near ones).
 *
 * @example
 * didYouMean('widht', ['width', 'height']) // 'width'
 * didYouMean('zzzzzz', ['width']) // undefined
 */
export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** Every name a clause can start with. */
const CLAUSE_NAMES: readonly string[] = [...Object.keys(FIELDS), ...EXISTS_ONLY, ...Object.keys(TEXT_PREFIXES)].filter(
  (name, index, all) => all.indexOf(name) === index,
)

/**
 * `unknown field "widht"` with a did-you-mean (when something is ≤ 2 edits away) and the list of
 * known fields. A near miss of `tags.` (`tag.long_hair`) suggests the tag clause.
 *
 * @example
 * unknownField('widht', 0).error.hint // 'did you mean "width"? Known fields: id, folder, …'
 */
export function unknownField(name: string, position: number): Failure {
  const dot = name.indexOf('.')
  let suggestion: string | undefined
  if (dot > 0 && editDistance(name.slice(0, dot), 'tags') <= 2) suggestion = `tags${name.slice(dot)}`
  else suggestion = didYouMean(name, CLAUSE_NAMES)
  const known = knownFieldList()
  const hint = suggestion === undefined ? `known fields: ${known}` : `did you mean "${suggestion}"? Known fields: ${known}`
  return failure(`unknown field "${name}"`, position, hint)
}

/**
 * A working example of a clause on `name`, for hints.
 *
 * @example
 * exampleFor('width') // 'width;>=1920'
 * exampleFor('format') // 'format;=png'
 */
export function exampleFor(name: string): string {
  if (name === 'tags') return 'tags.long_hair'
  if (name === 'tags1') return 'tags1:a, tags1:b'
  if (Object.hasOwn(TEXT_PREFIXES, name)) return `${name};words`
  if (name === 'width' || name === 'height') return `${name};>=1920`
  if (!isField(name)) return 'width;>=1920'
  const info = FIELDS[name]
  switch (info.type) {
    case 'number':
      return `${name};>=10`
    case 'date':
      return `${name};>2020-01-01`
    case 'boolean':
      return `${name};=true`
    case 'string':
      return 'values' in info ? `${name};=${info.values[0]}` : `${name};="abc"`
  }
}
