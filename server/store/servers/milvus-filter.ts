import type { AndNode, CompareOp, Comparison, QueryNode } from '../../query/ast'
import { PIXIV_WITHOUT_USER } from '../../query/fields'
import type { MilvusFilterCompiler } from './backends'
import { isOptionalScalar, presenceField, VECTOR_SCALAR_FIELDS, type VectorScalarField } from './milvus-scalars'

export { vectorScalarsFor } from './milvus-scalars'

/**
 * Milvus 2.3 expressions have no `true`/`false` literal: these compare the primary key (ids are
 * safe integers, never below -2^63+1) to stand in for them.
 */
export const MILVUS_MATCH_ALL = 'id >= -9223372036854775807'
export const MILVUS_MATCH_NONE = 'id < -9223372036854775807'

/**
 * Fields every image has (ImageRecord requires them): `field` alone is true for all. The ones not
 * in Milvus still answer an exists clause.
 */
const ALWAYS_PRESENT = new Set([
  'id', 'folder', 'path', 'filename', 'ext', 'format', 'filesize', 'width', 'height', 'frames', 'hash',
  'type', 'mtime', 'added', 'textlen',
])

/** Query fields Milvus can compare: the scalar fields and the primary key. */
const COMPARABLE: Record<string, { column: string; kind: 'string' | 'int' | 'bool'; optional: boolean }> = {
  id: { column: 'id', kind: 'int', optional: false },
  ...Object.fromEntries(Object.entries(VECTOR_SCALAR_FIELDS).filter(([name]) => name !== 'ai').map(([name, spec]) => [
    name, { column: name, kind: spec.kind, optional: isOptionalScalar(name as VectorScalarField) },
  ])),
}

/**
 * Query AST → Milvus boolean expression over the vector collections' scalar fields, or undefined
 * when any part of it cannot be expressed exactly (tags, tags1, full text, fields Milvus does not
 * hold, string ranges). The expression matches exactly the images the query matches
 * (docs/query-semantics.md): a comparison on an optional field requires its `has_` flag, so `not`
 * is the true complement, and fractional bounds on integer fields are rounded to the equivalent
 * integer bound (Milvus refuses a float literal against an Int64 field).
 *
 * @example
 * compileMilvusFilter(parsed) // width;>=1920 !type;=pixiv → '(width >= 1920) and (not (type == "pixiv"))'
 */
export const compileMilvusFilter: MilvusFilterCompiler = (query: AndNode) => compileNode(query)

function compileNode(node: QueryNode): string | undefined {
  switch (node.type) {
    case 'and':
      return combine(node.children, 'and')
    case 'or':
      return combine(node.children, 'or')
    case 'not': {
      const inner = compileNode(node.child)
      if (inner === undefined) return undefined
      if (inner === MILVUS_MATCH_ALL) return MILVUS_MATCH_NONE
      if (inner === MILVUS_MATCH_NONE) return MILVUS_MATCH_ALL
      return `not (${inner})`
    }
    case 'compare':
      return compare(node.field, node.comparisons)
    case 'exists':
      return exists(node.field)
    case 'tag':
    case 'tags1':
    case 'text':
      return undefined
  }
}

/** AND/OR of the children, folding the match-all and match-none stand-ins away. */
function combine(children: QueryNode[], op: 'and' | 'or'): string | undefined {
  const neutral = op === 'and' ? MILVUS_MATCH_ALL : MILVUS_MATCH_NONE
  const absorbing = op === 'and' ? MILVUS_MATCH_NONE : MILVUS_MATCH_ALL
  const parts: string[] = []
  for (const child of children) {
    const part = compileNode(child)
    if (part === undefined) return undefined
    if (part === absorbing) return absorbing
    if (part !== neutral) parts.push(part)
  }
  if (parts.length === 0) return neutral
  if (parts.length === 1) return parts[0]
  return parts.map((part) => `(${part})`).join(` ${op} `)
}

function exists(field: string): string | undefined {
  if (ALWAYS_PRESENT.has(field)) return MILVUS_MATCH_ALL
  switch (field) {
    case 'animated': return 'animated == true'
    case 'prompt': return 'ai == true'
    case 'userid':
    case 'date':
      return `${presenceField(field)} == true`
    default: return undefined
  }
}

function compare(field: string, comparisons: Comparison[]): string | undefined {
  const target = COMPARABLE[field]
  if (!target) return undefined
  // `type;=pixiv1` tests the file name, which Milvus does not hold.
  if (field === 'type' && comparisons.some(({ value }) => value.kind === 'string' && value.value === PIXIV_WITHOUT_USER)) return undefined
  const parts: string[] = []
  if (target.optional) parts.push(`${presenceField(target.column as VectorScalarField)} == true`)
  for (const comparison of comparisons) {
    const part = comparisonExpr(target.column, target.kind, comparison)
    if (part === undefined) return undefined
    if (part === MILVUS_MATCH_NONE) return MILVUS_MATCH_NONE
    if (part !== MILVUS_MATCH_ALL) parts.push(part)
  }
  if (parts.length === 0) return MILVUS_MATCH_ALL
  return parts.length === 1 ? parts[0] : parts.map((part) => `(${part})`).join(' and ')
}

function comparisonExpr(column: string, kind: 'string' | 'int' | 'bool', { op, value }: Comparison): string | undefined {
  switch (value.kind) {
    case 'date': {
      if (kind !== 'int') return undefined
      // The period [start, end), as in every compiler.
      switch (op) {
        case '=': return both(intBound(column, '>=', value.start), intBound(column, '<', value.end), 'and')
        case '!=': return both(intBound(column, '<', value.start), intBound(column, '>=', value.end), 'or')
        case '>': return intBound(column, '>=', value.end)
        case '>=': return intBound(column, '>=', value.start)
        case '<': return intBound(column, '<', value.start)
        case '<=': return intBound(column, '<', value.end)
      }
      return undefined
    }
    case 'number':
      return kind === 'int' ? intBound(column, op, value.value) : undefined
    case 'boolean':
      if (kind !== 'bool') return undefined
      if (op === '=') return `${column} == ${value.value}`
      if (op === '!=') return `${column} == ${!value.value}`
      return undefined
    case 'string':
      // Only equality: Milvus orders strings by UTF-8 bytes, the other profiles by UTF-16 code units.
      if (kind !== 'string') return undefined
      if (op !== '=' && op !== '!=') return undefined
    {
      const literal = stringLiteral(value.value)
      return literal === undefined ? undefined : `${column} ${op === '=' ? '==' : '!='} ${literal}`
    }
  }
}

function both(left: string | undefined, right: string | undefined, op: 'and' | 'or'): string | undefined {
  if (left === undefined || right === undefined) return undefined
  return `(${left}) ${op} (${right})`
}

/**
 * `column op value` for an integer column. A fractional value becomes the integer bound that
 * selects the same integers; values beyond ±2^53 are not written (undefined).
 *
 * @example
 * intBound('width', '>', 1919.5) // 'width >= 1920'
 */
export function intBound(column: string, op: CompareOp, value: number): string | undefined {
  if (Number.isInteger(value)) {
    if (!Number.isSafeInteger(value)) return undefined
    return `${column} ${op === '=' ? '==' : op} ${value}`
  }
  switch (op) {
    case '=': return MILVUS_MATCH_NONE
    case '!=': return MILVUS_MATCH_ALL
    case '>':
    case '>=':
      return intBound(column, '>=', Math.ceil(value))
    case '<':
    case '<=':
      return intBound(column, '<=', Math.floor(value))
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * A Milvus string literal: JSON's escapes (`\"`, `\\`, `\n`, `\u0001`) are all escapes Milvus's
 * grammar reads the same way. A lone surrogate cannot be written, so such a value is refused.
 *
 * @example
 * stringLiteral('a"b') // '"a\\"b"'
 */
export function stringLiteral(value: string): string | undefined {
  return LONE_SURROGATE.test(value) ? undefined : JSON.stringify(value)
}
