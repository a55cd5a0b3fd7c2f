/**
 * AST → canonical query text. What it prints parses back to an equal AST (spans aside): values are
 * quoted when they would not survive bare, parentheses appear only where precedence or the tree's
 * shape needs them, and full text keeps what the user wrote when that reads back the same.
 */
import type { Comparison, QueryNode, RankClause, SortKey, TextNode, TextTarget, Value } from './ast'
import { parseQuery } from './parser'
import { isWordChar, scan } from './scanner'

const TEXT_PREFIX: Readonly<Record<TextTarget, string>> = { ocr: 'm', tags1: 'mt', prompt: 'prompt', negative: 'negative' }
const TAGS1_PREFIX = { all: '', any: '|', none: '!' } as const

/** Where a node is printed: parentheses depend on what surrounds it. */
type Context = 'top' | 'and' | 'or' | 'not'

/**
 * Prints a query. The top AndNode's clauses are joined with `, `, OR branches with ` | `.
 *
 * @example
 * const parsed = parseQuery('(tags.red_hair|tags.blue_hair),width;>1000')
 * if (parsed.ok) printQuery(parsed.value) // '(tags.red_hair | tags.blue_hair), width;>1000'
 */
export function printQuery(node: QueryNode): string {
  // A query of one OR needs no parentheses: `a | b` reads back as an AndNode holding that OrNode.
  const only = node.type === 'and' && node.children.length === 1 ? node.children[0] : undefined
  const rank = node.type === 'and' ? (node.rank ?? []).map(printRank) : []
  // After ranking clauses a top-level OR needs its parentheses: `clip:x, a | b` would read as `(clip:x, a) | b`.
  const filters = node.type === 'and' && node.children.length === 0 ? '' : only && only.type !== 'and' ? print(only, rank.length ? 'and' : 'top') : print(node, 'top')
  return [...rank, ...(filters ? [filters] : [])].join(', ')
}

function printRank(clause: RankClause): string {
  switch (clause.kind) {
    case 'clip': return `clip:${printString(clause.text)}`
    case 'similar': return `similar:${clause.id}`
    case 'sim': return `sim${printComparisons(clause.comparisons)}`
  }
}

/**
 * Prints sort keys as `field;1` / `field;-1` joined with `, `.
 *
 * @example
 * printSort([{ field: 'filesize', direction: 1, span: { start: 0, end: 10 } }]) // 'filesize;1'
 */
export function printSort(keys: readonly SortKey[]): string {
  return keys.map((key) => `${key.field.startsWith('tags.') ? `tags.${printString(key.field.slice(5))}` : key.field};${key.direction}`).join(', ')
}

/**
 * Full-text terms as query text: bare where they can be, quoted where they hold whitespace,
 * quotes, backslashes, `,`, `|` or unbalanced parentheses.
 *
 * @example
 * printTerms(['hello', 'big world']) // 'hello "big world"'
 */
export function printTerms(terms: readonly string[]): string {
  return terms.map(printString).join(' ')
}

/**
 * A value bare if it reads back as itself unquoted (only word characters and balanced
 * parentheses), otherwise in double quotes with `"` and `\` escaped.
 *
 * @example
 * printString('long_hair') // 'long_hair'
 * printString('a,b') // '"a,b"'
 */
export function printString(value: string): string {
  return isBare(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`
}

function print(node: QueryNode, context: Context): string {
  switch (node.type) {
    case 'and': {
      const inner = node.children.map((child) => print(child, 'and')).join(', ')
      return context === 'and' || context === 'not' || (context !== 'top' && node.children.length === 0) ? `(${inner})` : inner
    }
    case 'or': {
      const inner = node.children.map((child) => print(child, 'or')).join(' | ')
      return context === 'top' ? inner : `(${inner})`
    }
    case 'not':
      // `!tags1:a` is the "none" form, so a negated "all" form keeps its own parentheses.
      return node.child.type === 'tags1' && node.child.mode === 'all' ? `!(${print(node.child, 'top')})` : `!${print(node.child, 'not')}`
    case 'exists':
      return node.field
    case 'tag':
      return `tags.${printTagName(node.name, node.pattern)}${printComparisons(node.comparisons)}`
    case 'tags1': {
      // One clause per value: the parser merges sibling clauses of a mode back into one node.
      const inner = node.values.map((value) => `${TAGS1_PREFIX[node.mode]}tags1:${printString(value)}`).join(', ')
      return node.values.length > 1 && (context === 'or' || context === 'not') ? `(${inner})` : inner
    }
    case 'compare':
      return `${node.field}${printComparisons(node.comparisons)}`
    case 'text':
      return printText(node)
  }
}

function printComparisons(comparisons: readonly Comparison[]): string {
  if (comparisons.length === 0) return ''
  return `;${comparisons.map((comparison) => `${comparison.op}${printValue(comparison.value)}`).join('&')}`
}

function printValue(value: Value): string {
  switch (value.kind) {
    case 'number':
      return String(value.value)
    case 'boolean':
      return String(value.value)
    case 'date':
      return value.text
    case 'string':
      // A bare null is the null test; the text null keeps its quotes.
      return value.value === 'null' ? '"null"' : printString(value.value)
  }
}

/** A wildcard name escapes everything but its `*`; a plain name is bare or quoted. */
function printTagName(name: string, pattern: boolean): string {
  if (!pattern) return printString(name)
  let out = ''
  for (const ch of name) out += ch === '*' || isWordChar(ch) ? ch : `\\${ch}`
  return out
}

/** The text as written when it reads back to the same terms (even before a `,`), else the terms. */
function printText(node: TextNode): string {
  const prefix = TEXT_PREFIX[node.target]
  const verbatim = `${prefix};${node.text}`
  const reparsed = parseQuery(`${verbatim},`, { now: 0 })
  const only = reparsed.ok && reparsed.value.children.length === 1 ? reparsed.value.children[0] : undefined
  if (only?.type === 'text' && only.target === node.target && only.text === node.text && sameStrings(only.terms, node.terms)) return verbatim
  return `${prefix};${printTerms(node.terms)}`
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i])
}

/** Only plain words and balanced parentheses: the scanner gives the value back unchanged. */
function isBare(value: string): boolean {
  if (value === '') return false
  let depth = 0
  for (const token of scan(value)) {
    if (token.kind === 'end') break
    if (token.kind === 'word') {
      // A lone trailing `\` reads as itself here but would escape whatever the printer puts next.
      if (token.text !== token.value || token.text.includes('\\')) return false
    } else if (token.kind === 'lparen') {
      depth++
    } else if (token.kind === 'rparen') {
      depth--
      if (depth < 0) return false
    } else {
      return false
    }
  }
  return depth === 0
}
