// The search bar's view of query text: clauses as chips, tokens coloured by role, the word under the
// caret for autocomplete. It uses the server's own scanner and parser (server/query has no Node
// dependencies), so the chips split and colour exactly where the server would.
import { parseQuery } from '../../server/query/parser'
import { printString } from '../../server/query/printer'
import { scan } from '../../server/query/scanner'
import type { QueryDiagnostic, QueryNode, Span } from '../../server/query/ast'
import type { TokenKind } from '../../server/query/tokens'

/** How a piece of query text is coloured. */
export type SegmentRole = 'field' | 'op' | 'punct' | 'not' | 'string' | 'number' | 'value' | 'rank' | 'space'

export interface Segment {
  text: string
  role: SegmentRole
}

/** One top-level clause of a query: its range, its text and its coloured pieces. */
export interface Clause {
  span: Span
  text: string
  segments: Segment[]
  /** Set on the clause the parse error points into. */
  error?: QueryDiagnostic
}

const RANK_NAMES = new Set(['clip', 'similar', 'sim'])
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/**
 * The query's top-level clauses in order. A query that parses is split where the parser split it
 * (a `,` inside a tag name's parentheses stays in the tag); one that does not is split at the
 * commas outside parentheses and quotes, and the clause holding the error carries it.
 *
 * @example
 * splitClauses('tags.long_hair, width;>=1920').map((clause) => clause.text) // ['tags.long_hair', 'width;>=1920']
 */
export function splitClauses(text: string): Clause[] {
  const parsed = parseQuery(text)
  let spans: Span[]
  let error: QueryDiagnostic | undefined
  if (parsed.ok) {
    const top = parsed.value
    spans = [...(top.rank ?? []).map((clause) => clause.span), ...top.children.flatMap((child) => chipSpans(text, child))]
    // One top-level OR is the whole query: keep it as one chip.
    spans.sort((a, b) => a.start - b.start)
  } else {
    spans = commaSpans(text)
    error = parsed.error
  }
  const clauses = spans.filter((span) => text.slice(span.start, span.end).trim() !== '').map((span): Clause => ({
    span,
    text: text.slice(span.start, span.end),
    segments: highlight(text.slice(span.start, span.end)),
  }))
  if (error) {
    const holder = clauses.find((clause) => error!.position >= clause.span.start && error!.position <= clause.span.end) ?? clauses[clauses.length - 1]
    if (holder) holder.error = error
  }
  return clauses
}

/**
 * The chips of one top-level clause: its span, except for tags1 clauses the parser merged
 * (`|tags1:a, tags.x, |tags1:b` is one OR of a and b): each of them keeps its own chip.
 */
function chipSpans(text: string, node: QueryNode): Span[] {
  if (node.type !== 'tags1' || node.values.length < 2) return [node.span]
  return commaSpans(text).filter((span) => span.start >= node.span.start && span.end <= node.span.end && /^[|!]?\s*tags1\s*:/u.test(text.slice(span.start, span.end)))
}

/** Spans between top-level commas (outside parentheses; quotes and escapes are single tokens). */
function commaSpans(text: string): Span[] {
  const spans: Span[] = []
  let depth = 0
  let start = 0
  for (const token of scan(text)) {
    if (token.kind === 'lparen') depth++
    else if (token.kind === 'rparen') depth = Math.max(0, depth - 1)
    else if ((token.kind === 'comma' && depth === 0) || token.kind === 'end') {
      spans.push(trimSpan(text, { start, end: token.span.start }))
      start = token.span.end
    }
  }
  return spans
}

function trimSpan(text: string, span: Span): Span {
  let { start, end } = span
  while (start < end && /\s/u.test(text.charAt(start))) start++
  while (end > start && /\s/u.test(text.charAt(end - 1))) end--
  return { start, end }
}

/** The role of every token kind but words (which depend on their neighbours); the rest is punctuation. */
const ROLE_OF_KIND: Partial<Record<TokenKind, SegmentRole>> = { quoted: 'string', op: 'op', bang: 'not', space: 'space' }

/**
 * Query text cut into coloured pieces that join back to the text exactly.
 *
 * @example
 * highlight('width;>=1920')
 * // [{ text: 'width', role: 'field' }, { text: ';', role: 'punct' }, { text: '>=', role: 'op' }, { text: '1920', role: 'number' }]
 */
export function highlight(text: string): Segment[] {
  const tokens = scan(text).filter((token) => token.kind !== 'end')
  const segments: Segment[] = []
  // After `tags1:` the rest of the clause is one value, colons included (`tags1:Re:ゼロ`).
  let tags1Value = false
  tokens.forEach((token, index) => {
    const next = tokens[index + 1]
    if (token.kind === 'comma' || token.kind === 'pipe') tags1Value = false
    switch (token.kind) {
      case 'word': {
        const fieldLike = next?.kind === 'semi' || next?.kind === 'colon'
        if (tags1Value) {
          segments.push({ text: token.text, role: 'value' })
        } else if (token.value === 'tags1' && next?.kind === 'colon') {
          segments.push({ text: token.text, role: 'field' })
          tags1Value = true
        } else if (token.text.startsWith('tags.') && token.text.length > 5) {
          segments.push({ text: 'tags.', role: 'field' }, { text: token.text.slice(5), role: 'value' })
        } else if (fieldLike && RANK_NAMES.has(token.value)) {
          segments.push({ text: token.text, role: 'rank' })
        } else if (fieldLike || (!isAfterValue(tokens, index) && !NUMBER.test(token.value))) {
          segments.push({ text: token.text, role: 'field' })
        } else {
          segments.push({ text: token.text, role: NUMBER.test(token.value) ? 'number' : 'value' })
        }
        break
      }
      default:
        segments.push({ text: token.text, role: ROLE_OF_KIND[token.kind] ?? 'punct' })
    }
  })
  return segments
}

/** Whether a word stands where a value goes: after `;`, `:`, an operator or `&` of its clause. */
function isAfterValue(tokens: ReturnType<typeof scan>, index: number): boolean {
  for (let i = index - 1; i >= 0; i--) {
    const kind = tokens[i]!.kind
    if (kind === 'semi' || kind === 'colon' || kind === 'op' || kind === 'amp') return true
    if (kind === 'comma' || kind === 'pipe' || kind === 'lparen' || kind === 'rparen' || kind === 'bang') return false
  }
  return false
}

/**
 * The query with one more clause at the end.
 *
 * @example
 * addClause('width;>100', 'tags.red_hair') // 'width;>100, tags.red_hair'
 * addClause('', 'tags.red_hair') // 'tags.red_hair'
 */
export function addClause(query: string, clause: string): string {
  const trimmed = query.trim().replace(/,\s*$/, '')
  return trimmed ? `${trimmed}, ${clause}` : clause
}

/**
 * The query without the text in `span`, and without the comma that joined it.
 *
 * @example
 * removeClause('a, b, c', { start: 3, end: 4 }) // 'a, c'
 */
export function removeClause(query: string, span: Span): string {
  const before = query.slice(0, span.start).replace(/,\s*$/, '')
  const after = query.slice(span.end).replace(/^\s*,\s*/, '')
  if (!before.trim()) return after.trimStart()
  if (!after.trim()) return before.trimEnd()
  return `${before.trimEnd()}, ${after}`
}

/**
 * The query with every top-level clause but the ranking ones (`clip:`, `similar:`, `sim;`) and
 * then `clause`: a new similarity search keeps the filters and replaces the old ranking.
 *
 * @example
 * replaceRanking('similar:3, width;>100', 'similar:9') // 'width;>100, similar:9'
 */
export function replaceRanking(query: string, clause: string): string {
  const kept = splitClauses(query).filter((item) => !/^(?:clip|similar)\s*:|^sim\s*;/.test(item.text)).map((item) => item.text)
  return [...kept, clause].join(', ')
}

/** Clause text for the detail view's buttons, escaped as the printer would. */
export const clauseFor = {
  tag: (name: string, negated = false) => `${negated ? '!' : ''}tags.${printString(name)}`,
  tags1: (value: string, negated = false) => `${negated ? '!' : ''}tags1:${printString(value)}`,
  equals: (field: string, value: string | number) => `${field};=${typeof value === 'number' ? value : printString(value)}`,
  similar: (id: number) => `similar:${id}`,
}

/** The tag-name fragment under the caret, when the caret ends a word that can start a tag clause. */
export interface TagFragment {
  /** What to look up (lower case, without `tags.`). */
  prefix: string
  /** The range the chosen tag's clause replaces. */
  span: Span
  /** Whether the word already starts with `tags.`. */
  hasTagsPrefix: boolean
}

/**
 * The word being typed at `caret`, if a tag can complete it: `tags.long_h` or a bare `long_h` at
 * the start of a clause (not a field name followed by `;`).
 *
 * @example
 * tagFragment('width;>1, tags.long_h', 21) // { prefix: 'long_h', span: { start: 10, end: 21 }, hasTagsPrefix: true }
 */
export function tagFragment(text: string, caret: number): TagFragment | undefined {
  let start = caret
  while (start > 0 && !/[\s,|()!;:&<>="]/u.test(text.charAt(start - 1))) start--
  const before = text.charAt(start - 1)
  if (before === ';' || before === ':' || before === '&' || before === '"' || /[<>=]/.test(before)) return undefined
  let end = caret
  while (end < text.length && !/[\s,|;&]/u.test(text.charAt(end))) end++
  const word = text.slice(start, caret)
  const hasTagsPrefix = word.startsWith('tags.')
  const prefix = hasTagsPrefix ? word.slice(5) : word
  if (!prefix || prefix.includes('*')) return undefined
  // A field name being typed (`width`) completes to nothing useful once it has `;` after it.
  if (text.charAt(end) === ';') return undefined
  return { prefix: prefix.toLowerCase(), span: { start, end }, hasTagsPrefix }
}
