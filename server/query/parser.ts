/**
 * Tokens → the query AST. Precedence is the call chain: or (`|`) → and (`,`) → not (`!`) → clause.
 * Each clause form reads its value by the rules of its field (a tag name runs to `;`, a full-text
 * value keeps `&`, a date keeps `:`), so the scanner's tokens are joined back as the clause needs.
 * Every function returns a ParseResult: the first problem comes back as a value with its position.
 */
import type { AndNode, Comparison, ParseResult, QueryNode, RankClause, Span, Tags1Node, TextTarget, Value } from './ast'
import { parseDate } from './dates'
import { didYouMean, exampleFor, failure, shifted, unknownField, type Failure } from './diagnostics'
import { canonicalField, EXISTS_ONLY, FIELDS, isField, TEXT_PREFIXES, type FieldName } from './fields'
import { mergeTags1 } from './tags1-merge'
import { scan } from './scanner'
import type { Token, TokenKind } from './tokens'

/**
 * How big a query may get. Beyond these, parsing stops with an error at the place the limit was crossed.
 * Depth counts both parentheses and `!`. The values keep every compiled form far inside what the
 * stores take: SQLite's expression depth of 1000 and 32,766 parameters, MongoDB's nesting of 100
 * (a clause of ~1,000 comparisons once made SQLite fail with "Expression tree is too large").
 *
 * @example
 * if (text.length > QUERY_LIMITS.maxLength) console.log('too long')
 */
export const QUERY_LIMITS = {
  maxLength: 4000,
  maxDepth: 16,
  maxClauses: 256,
  maxTags1Values: 64,
  /** `&`-joined comparisons of one clause (`width;>=1&<9` has 2). */
  maxComparisons: 16,
  /** Whitespace-separated words of one full-text clause (`m;`, `mt;`, `prompt;`, `negative;`). */
  maxTextTerms: 32,
  /** Alternatives of one `|` list. */
  maxAlternatives: 64,
} as const

/**
 * Options of parseQuery. `now` (epoch ms, default `Date.now()`) anchors relative dates like `-30d`.
 *
 * @example
 * parseQuery('added;>-30d', { now: Date.UTC(2024, 0, 1) } satisfies ParseOptions)
 */
export interface ParseOptions {
  now?: number
}

interface State {
  readonly text: string
  readonly tokens: readonly Token[]
  readonly end: Token
  readonly now: number
  /** Index of the next token to read. */
  index: number
  /** End of the last token read that is not whitespace: where the node being built ends. */
  lastEnd: number
  depth: number
  clauses: number
}

type Word = Extract<Token, { kind: 'word' }>

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value })

/** Tokens that may follow a clause. */
const CLAUSE_END: ReadonlySet<TokenKind> = new Set(['comma', 'pipe', 'rparen', 'end'])
/** Where a value stops (besides the end and an unbalanced `)`). */
const TAG_NAME_STOPS: ReadonlySet<TokenKind> = new Set(['semi', 'comma', 'pipe'])
const VALUE_STOPS: ReadonlySet<TokenKind> = new Set(['amp', 'comma', 'pipe'])
const TEXT_STOPS: ReadonlySet<TokenKind> = new Set(['comma', 'pipe'])
// A tags1 value runs to the end of the clause: pixiv tags hold colons (`Re:ゼロから始める異世界生活`).
const TAGS1_STOPS: ReadonlySet<TokenKind> = new Set(['comma', 'pipe'])

const OPERATOR_HINT = 'compare with < <= > >= = or !='
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/**
 * Parses query text into its AST: always an AndNode at the top (no children for an empty query).
 * Never throws; a bad query gives the first problem with its 0-based position and a hint.
 *
 * @example
 * parseQuery('tags.long_hair, width;>=1920')
 * // { ok: true, value: { type: 'and', children: [ { type: 'tag', name: 'long_hair', … }, { type: 'compare', field: 'width', … } ], span: { start: 0, end: 28 } } }
 * parseQuery('widht;>3')
 * // { ok: false, error: { message: 'unknown field "widht"', position: 0, hint: 'did you mean "width"? Known fields: …' } }
 */
export function parseQuery(text: string, options: ParseOptions = {}): ParseResult<AndNode> {
  const { maxLength } = QUERY_LIMITS
  if (text.length > maxLength) {
    return failure(`the query is longer than ${maxLength} characters`, maxLength, 'shorten it: remove clauses, or search in two steps')
  }
  const tokens = scan(text)
  const s: State = {
    text,
    tokens,
    end: tokens[tokens.length - 1] ?? { kind: 'end', text: '', span: { start: text.length, end: text.length } },
    now: options.now !== undefined && Number.isFinite(options.now) ? options.now : Date.now(),
    index: 0,
    lastEnd: 0,
    depth: 0,
    clauses: 0,
  }
  const list = parseOr(s, true)
  if (!list.ok) return list
  const next = peek(s)
  if (next.kind !== 'end') return failure('unmatched ")"', next.span.start, 'remove it, or add a "(" before the clauses it should close')
  const span = { start: 0, end: text.length }
  const node = list.value
  if (node === null) return ok({ type: 'and', children: [], span })
  return liftRanking(node.type === 'and' ? { ...node, span } : { type: 'and', children: [node], span })
}

// --- ranking clauses ---

/**
 * While parsing, a ranking clause (`clip:`, `similar:`, `sim;`) sits in the tree like a clause;
 * this node never leaves the parser: `liftRanking` moves top-level ones to `AndNode.rank` and
 * refuses any other.
 */
interface RankPlaceholder {
  type: 'rank'
  clause: RankClause
  span: RankClause['span']
}

function placeholder(clause: RankClause): QueryNode {
  return { type: 'rank', clause, span: clause.span } satisfies RankPlaceholder as unknown as QueryNode
}

function rankOf(node: QueryNode): RankClause | undefined {
  return (node as QueryNode | RankPlaceholder).type === 'rank' ? (node as unknown as RankPlaceholder).clause : undefined
}

function liftRanking(root: AndNode): ParseResult<AndNode> {
  const rank: RankClause[] = []
  const children: QueryNode[] = []
  for (const child of root.children) {
    const clause = rankOf(child)
    if (!clause) {
      const nested = findRank(child)
      if (nested) {
        return failure(`${nested.kind === 'sim' ? 'sim;' : `${nested.kind}:`} ranks the whole result: it cannot be inside parentheses, an OR or a NOT`, nested.span.start,
          'write it as a clause of its own, e.g. clip:"red hair", (tags.red_hair | tags.blue_hair)')
      }
      children.push(child)
      continue
    }
    if (rank.some((other) => other.kind === clause.kind)) {
      return failure(`more than one ${clause.kind === 'sim' ? 'sim;' : `${clause.kind}:`} clause`, clause.span.start, clause.kind === 'clip' ? 'put all the words in one: clip:"red hair, rain"' : 'keep one')
    }
    rank.push(clause)
  }
  return ok(rank.length ? { ...root, children, rank } : { ...root, children })
}

function findRank(node: QueryNode): RankClause | undefined {
  const own = rankOf(node)
  if (own) return own
  if (node.type === 'and' || node.type === 'or') {
    for (const child of node.children) {
      const found = findRank(child)
      if (found) return found
    }
  }
  return node.type === 'not' ? findRank(node.child) : undefined
}

/** `clip:TEXT` (words as written, quotes keep `,` and `|`) or `similar:ID`. */
function parseRankValue(s: State, head: Word): ParseResult<QueryNode> {
  const colon = advance(s)
  const collected = collect(s, TEXT_STOPS, true)
  if (!collected.ok) return collected
  const tokens = collected.value
  const value = tokens.map((token) => (token.kind === 'space' ? ' ' : literal(token))).join('').trim()
  const span = { start: head.span.start, end: s.lastEnd }
  if (head.value === 'clip') {
    if (value === '') return failure('missing text after "clip:"', colon.span.start, 'e.g. clip:"girl with an umbrella in the rain"')
    return ok(placeholder({ kind: 'clip', text: value, span }))
  }
  if (!/^[1-9]\d{0,15}$/.test(value)) {
    return failure(`similar: takes an image id, not "${show(value)}"`, tokens[0]?.span.start ?? colon.span.start, 'e.g. similar:123 (the id of an image in the results)')
  }
  return ok(placeholder({ kind: 'similar', id: Number(value), span }))
}

/** `sim;>=0.25`: comparisons on the similarity, -1 to 1. */
function parseSimilarity(s: State, head: Word): ParseResult<QueryNode> {
  const parsed = parseComparisons(s, advance(s), { kind: 'similarity' })
  if (!parsed.ok) return parsed
  return ok(placeholder({ kind: 'sim', comparisons: parsed.value, span: { start: head.span.start, end: s.lastEnd } }))
}

// --- token access ---

/** The next token that is not whitespace, without reading it. */
function peek(s: State): Token {
  let i = s.index
  while (s.tokens[i]?.kind === 'space') i++
  return s.tokens[i] ?? s.end
}

/** Reads the next token that is not whitespace (stays on the end token). */
function advance(s: State): Token {
  while (s.tokens[s.index]?.kind === 'space') s.index++
  const token = s.tokens[s.index] ?? s.end
  if (token.kind !== 'end') {
    s.index++
    s.lastEnd = token.span.end
  }
  return token
}

/** The last token read that is not whitespace. */
function previous(s: State): Token | undefined {
  for (let i = s.index - 1; i >= 0; i--) {
    const token = s.tokens[i]
    if (token && token.kind !== 'space') return token
  }
  return undefined
}

/** Source text for a message, shortened. */
function show(text: string): string {
  return text.length > 30 ? `${text.slice(0, 30)}…` : text
}

/** A token's contribution to a value: words and quoted strings unescaped, everything else as written. */
function literal(token: Token): string {
  return token.kind === 'word' || token.kind === 'quoted' ? token.value : token.text
}

/**
 * Reads the tokens of one value, up to a token in `stops`, the end, or a `)` that closes nothing in
 * the value. Parentheses inside must balance. Whitespace at the end (and at the start, with
 * `trimStart`) is dropped.
 */
function collect(s: State, stops: ReadonlySet<TokenKind>, trimStart: boolean): ParseResult<Token[]> {
  const tokens: Token[] = []
  const open: Token[] = []
  for (;;) {
    const token = s.tokens[s.index] ?? s.end
    if (token.kind === 'end' || stops.has(token.kind)) break
    if (token.kind === 'rparen') {
      if (open.length === 0) break
      open.pop()
    } else if (token.kind === 'lparen') {
      open.push(token)
    } else if (token.kind === 'quoted' && !token.terminated) {
      return failure('unterminated quote', token.span.start, 'close it with "; write \\" for a quote inside quotes')
    } else if (token.kind === 'backslash') {
      return danglingBackslash(token)
    }
    s.index++
    if (token.kind !== 'space') s.lastEnd = token.span.end
    tokens.push(token)
  }
  const unclosed = open[open.length - 1]
  if (unclosed) return failure('unmatched "("', unclosed.span.start, 'close it with ")", or quote the value')
  if (trimStart) while (tokens[0]?.kind === 'space') tokens.shift()
  while (tokens[tokens.length - 1]?.kind === 'space') tokens.pop()
  return ok(tokens)
}

function danglingBackslash(token: Token): Failure {
  return failure('nothing after "\\" to escape', token.span.start, 'write \\\\ for a backslash, or remove it')
}

/** Counts a clause; an error once there are too many. */
function countClause(s: State, position: number): Failure | undefined {
  s.clauses++
  if (s.clauses <= QUERY_LIMITS.maxClauses) return undefined
  return failure(`more than ${QUERY_LIMITS.maxClauses} clauses`, position, 'remove some clauses, or search in two steps')
}

/** Enters a `(` or `!`; an error once nesting is too deep. */
function enter(s: State, at: Token): Failure | undefined {
  s.depth++
  if (s.depth <= QUERY_LIMITS.maxDepth) return undefined
  return failure(`more than ${QUERY_LIMITS.maxDepth} levels of parentheses and "!"`, at.span.start, 'flatten the query: remove some parentheses or "!"')
}

// --- precedence: or → and → not → clause ---

/**
 * `a | b | c`. With `listStart` (start of the query or of a group) the list may be empty,
 * which gives null.
 */
function parseOr(s: State, listStart: boolean): ParseResult<QueryNode | null> {
  const first = parseAnd(s, listStart)
  if (!first.ok || first.value === null) return first
  const start = first.value.span.start
  const children: QueryNode[] = [first.value]
  while (peek(s).kind === 'pipe') {
    const pipe = advance(s)
    if (children.length === QUERY_LIMITS.maxAlternatives) {
      return failure(`more than ${QUERY_LIMITS.maxAlternatives} alternatives joined by "|"`, pipe.span.start,
        'use fewer alternatives: a wildcard tag (tags.*_hair) or |tags1:a, |tags1:b matches many at once, or search in two steps')
    }
    const next = parseAnd(s, false)
    if (!next.ok) return next
    if (next.value !== null) children.push(next.value)
  }
  if (children.length === 1) return ok(first.value)
  return ok({ type: 'or', children, span: { start, end: s.lastEnd } })
}

/**
 * `a, b, c`. At the start of a list one leading `,` is skipped; a trailing `,` before `)` or the
 * end is skipped; an empty clause between two commas is an error.
 */
function parseAnd(s: State, listStart: boolean): ParseResult<QueryNode | null> {
  if (listStart) {
    if (peek(s).kind === 'comma') advance(s)
    const kind = peek(s).kind
    if (kind === 'end' || kind === 'rparen') return ok(null)
  }
  const children: QueryNode[] = []
  let end = 0
  for (;;) {
    const clause = parseNot(s)
    if (!clause.ok) return clause
    children.push(clause.value)
    end = s.lastEnd
    const after = peek(s)
    if (!CLAUSE_END.has(after.kind)) {
      return failure(`expected "," or "|" before "${show(after.text)}"`, after.span.start, 'separate clauses with "," (and) or "|" (or)')
    }
    if (after.kind !== 'comma') break
    advance(s)
    const next = peek(s).kind
    if (next === 'end' || next === 'rparen') break
  }
  const merged = mergeTags1(children)
  if (!merged.ok) return merged
  const first = merged.value[0]
  if (merged.value.length === 1 && first) return ok(first)
  return ok({ type: 'and', children: merged.value, span: { start: children[0]?.span.start ?? 0, end } })
}

/** `!clause`, `!(group)`, and the clause forms that start with `!` or `|` (`!tags1:a`, `|tags1:a`). */
function parseNot(s: State): ParseResult<QueryNode> {
  const token = peek(s)
  switch (token.kind) {
    case 'bang': {
      advance(s)
      if (startsTags1(s)) return parseTags1(s, 'none', token)
      const tooDeep = enter(s, token)
      if (tooDeep) return tooDeep
      const child = parseNot(s)
      if (!child.ok) return child
      s.depth--
      return ok({ type: 'not', child: child.value, span: { start: token.span.start, end: s.lastEnd } })
    }
    case 'pipe': {
      const before = previous(s)
      advance(s)
      if (startsTags1(s)) return parseTags1(s, 'any', token)
      const hint =
        before?.kind === 'comma'
          ? 'remove the "," before "|" to mean OR'
          : before?.kind === 'pipe'
            ? 'use a single "|" for OR'
            : 'write |tags1:a, |tags1:b for images whose tags1 has any of a, b'
      return failure('a "|" at the start of a clause begins |tags1:…', token.span.start, hint)
    }
    case 'lparen':
      return parseGroup(s)
    case 'word':
      return startsTags1(s) ? parseTags1(s, 'all', undefined) : parseClause(s)
    case 'comma':
      return failure('empty clause', token.span.start, 'remove the extra ","')
    case 'end':
    case 'rparen': {
      const before = previous(s)
      return failure(
        before ? `expected a clause after "${before.text}"` : 'expected a clause',
        before?.span.start ?? token.span.start,
        'e.g. tags.long_hair or width;>=1920',
      )
    }
    case 'backslash':
      return danglingBackslash(token)
    case 'quoted':
      if (!token.terminated) return failure('unterminated quote', token.span.start, 'close it with "')
      return failure('a clause starts with a field name, not a quoted value', token.span.start, 'quote the value after the field: tags."a,b" or userid;="12345"')
    default:
      return failure(`unexpected "${token.text}"`, token.span.start, 'a clause starts with a field name, e.g. tags.long_hair or width;>=1920')
  }
}

/** `( … )`: an And or Or from a group spans its parentheses. */
function parseGroup(s: State): ParseResult<QueryNode> {
  const open = advance(s)
  const tooDeep = enter(s, open)
  if (tooDeep) return tooDeep
  const inner = parseOr(s, true)
  if (!inner.ok) return inner
  const close = peek(s)
  if (close.kind !== 'rparen') return failure('unmatched "("', open.span.start, 'add a ")" to close it')
  advance(s)
  s.depth--
  const node = inner.value
  if (node === null) {
    return failure('empty parentheses', open.span.start, 'put clauses inside, e.g. (tags.red_hair | tags.blue_hair), or remove them')
  }
  const span = { start: open.span.start, end: close.span.end }
  return ok(node.type === 'and' || node.type === 'or' ? { ...node, span } : node)
}

// --- clauses ---

/** Whether the next tokens are `tags1` `:` (the values form, as opposed to a bare `tags1`). */
function startsTags1(s: State): boolean {
  let i = s.index
  while (s.tokens[i]?.kind === 'space') i++
  const head = s.tokens[i]
  if (head?.kind !== 'word' || head.value !== 'tags1') return false
  i++
  while (s.tokens[i]?.kind === 'space') i++
  return s.tokens[i]?.kind === 'colon'
}

function isTextPrefix(name: string): name is keyof typeof TEXT_PREFIXES {
  return Object.hasOwn(TEXT_PREFIXES, name)
}

/** A clause starting with a word: `tags.NAME…`, `m;…`, `FIELD;…`, or a bare `FIELD`. */
function parseClause(s: State): ParseResult<QueryNode> {
  const head = advance(s)
  if (head.kind !== 'word') return failure('expected a field name', head.span.start)
  const tooMany = countClause(s, head.span.start)
  if (tooMany) return tooMany
  if ((head.value === 'clip' || head.value === 'similar') && peek(s).kind === 'colon') return parseRankValue(s, head)
  if (head.value === 'sim' && peek(s).kind === 'semi') return parseSimilarity(s, head)
  const name = canonicalField(head.value)
  if (name.startsWith('tags.')) return parseTag(s, head)
  const after = peek(s)
  if (after.kind === 'semi') {
    if (isTextPrefix(name)) return parseText(s, head, TEXT_PREFIXES[name])
    if (isField(name)) return parseCompare(s, head, name)
    if (name === 'tags1') {
      return failure('tags1 takes values, not comparisons', after.span.start, 'tags1:a, tags1:b (all of them), |tags1:a, |tags1:b (any), !tags1:a (none), or mt;words for full text')
    }
    if (name === 'tags') return failure('"tags" takes a tag name', after.span.start, 'e.g. tags.long_hair;>=0.8')
    return unknownField(name, head.span.start)
  }
  const exists = isField(name) || (EXISTS_ONLY as readonly string[]).includes(name)
  if (!exists && !isTextPrefix(name)) return unknownField(name, head.span.start)
  if (!CLAUSE_END.has(after.kind)) {
    return failure(`expected ";" after "${name}"`, after.span.start, `e.g. ${exampleFor(name)}`)
  }
  if (!exists) return failure(`"${name}" needs text to search for`, head.span.start, `e.g. ${name};words`)
  return ok({ type: 'exists', field: name, span: head.span })
}

/** `tags.NAME` with optional `;OP SCORE&…`. */
function parseTag(s: State, head: Word): ParseResult<QueryNode> {
  const rest = head.value.slice('tags.'.length)
  const collected = collect(s, TAG_NAME_STOPS, rest === '')
  if (!collected.ok) return collected
  let name = rest
  let pattern = false
  let literalStar = rest.includes('*')
  for (const token of collected.value) {
    if (token.kind === 'star') pattern = true
    else if ((token.kind === 'word' || token.kind === 'quoted') && token.value.includes('*')) literalStar = true
    name += literal(token)
  }
  if (name === '') return failure('missing tag name', head.span.start, 'e.g. tags.long_hair, or tags.*_hair for any tag that matches')
  if (pattern && literalStar) {
    return failure('a wildcard tag name cannot also hold a quoted or escaped "*"', head.span.start, 'write * unquoted; every * in the name then matches any characters')
  }
  let comparisons: Comparison[] = []
  if (peek(s).kind === 'semi') {
    const parsed = parseComparisons(s, advance(s), { kind: 'score' })
    if (!parsed.ok) return parsed
    comparisons = parsed.value
  }
  return ok({ type: 'tag', name, pattern, comparisons, span: { start: head.span.start, end: s.lastEnd } })
}

/**
 * `tags1:a` (has a), `|tags1:a` (any of the query's `|tags1:` values), `!tags1:a` (not a). The value
 * is everything after the first `:`, as PxIMSE reads it: `tags1:Re:ゼロ` is the one tag `Re:ゼロ`.
 * Sibling clauses of one mode become one node (mergeTags1).
 */
function parseTags1(s: State, mode: Tags1Node['mode'], prefix: Token | undefined): ParseResult<QueryNode> {
  const head = advance(s)
  const start = (prefix ?? head).span.start
  const tooMany = countClause(s, start)
  if (tooMany) return tooMany
  const colon = advance(s)
  const collected = collect(s, TAGS1_STOPS, true)
  if (!collected.ok) return collected
  const tokens = collected.value
  const value = tokens.map(literal).join('')
  if (value === '') {
    return failure('empty tags1 value', tokens[0]?.span.start ?? colon.span.start, 'write tags1:a; for several values write several clauses: tags1:a, tags1:b')
  }
  return ok({ type: 'tags1', mode, values: [value], span: { start, end: s.lastEnd } })
}

/** `m;TEXT`, `mt;TEXT`, `prompt;TEXT`, `negative;TEXT`: whitespace-separated terms, quotes keep spaces. */
function parseText(s: State, head: Word, target: TextTarget): ParseResult<QueryNode> {
  const semi = advance(s)
  const collected = collect(s, TEXT_STOPS, true)
  if (!collected.ok) return collected
  const tokens = collected.value
  const first = tokens[0]
  const last = tokens[tokens.length - 1]
  if (!first || !last) return failure(`missing text after "${head.value};"`, semi.span.start, `e.g. ${head.value};words`)
  const terms: string[] = []
  let term = ''
  let termStart = first.span.start
  const push = (): Failure | undefined => {
    if (term === '') return undefined
    if (terms.length === QUERY_LIMITS.maxTextTerms) {
      return failure(`more than ${QUERY_LIMITS.maxTextTerms} words in one ${head.value}; clause`, termStart, `search for fewer words, or quote a phrase to keep it one: ${head.value};"two words"`)
    }
    terms.push(term)
    term = ''
    return undefined
  }
  for (const token of tokens) {
    if (token.kind === 'space') {
      const tooMany = push()
      if (tooMany) return tooMany
    } else {
      if (term === '') termStart = token.span.start
      term += literal(token)
    }
  }
  const tooMany = push()
  if (tooMany) return tooMany
  if (terms.length === 0) return failure('empty text', first.span.start, `e.g. ${head.value};words`)
  const text = s.text.slice(first.span.start, last.span.end)
  if (first.kind === 'op' && /^!?=\s*null$/.test(text)) {
    const has = head.value === 'mt' ? 'tags1' : head.value === 'negative' ? 'prompt' : head.value
    return failure(`${head.value}; searches the text: it has no null test`, first.span.start, `!${has} finds images without it, ${has} those with it; ${head.value};"null" searches for the word`)
  }
  return ok({ type: 'text', target, terms, text, span: { start: head.span.start, end: last.span.end } })
}

/**
 * `FIELD;OP VALUE&OP VALUE…`. A bare `null` is PxIMSE's null test: `likeCount;=null` is `!likeCount`,
 * `likeCount;!=null` is `likeCount`, and `textlen;…null` tests for OCR text (`m`).
 */
function parseCompare(s: State, head: Word, field: FieldName): ParseResult<QueryNode> {
  const parsed = parseComparisons(s, advance(s), { kind: 'field', field })
  if (!parsed.ok) return parsed
  const span = { start: head.span.start, end: s.lastEnd }
  const comparisons = parsed.value.filter((comparison): comparison is Comparison => comparison.value.kind !== 'null')
  if (comparisons.length === parsed.value.length) return ok({ type: 'compare', field, comparisons, span })
  const parts: QueryNode[] = comparisons.length ? [{ type: 'compare', field, comparisons, span }] : []
  for (const test of parsed.value) {
    if (test.value.kind !== 'null') continue
    const exists: QueryNode = { type: 'exists', field: field === 'textlen' ? 'm' : field, span: test.span }
    parts.push(test.op === '!=' ? exists : { type: 'not', child: exists, span: test.span })
  }
  return ok(parts.length === 1 ? parts[0]! : { type: 'and', children: parts, span })
}

/** A comparison as parsed, before parseCompare turns `null` ones into tests for a value. */
type ParsedComparison = Comparison | { op: Comparison['op']; value: { kind: 'null' }; span: Span }

/** What the values of a comparison are: a tag score (0..1), a CLIP similarity (-1..1) or a field's type. */
type Target = { kind: 'score' } | { kind: 'similarity' } | { kind: 'field'; field: FieldName }

/** `OP VALUE` joined by `&`, after the `;` (given as `semi`). */
function parseComparisons(s: State, semi: Token, target: { kind: 'score' } | { kind: 'similarity' }): ParseResult<Comparison[]>
function parseComparisons(s: State, semi: Token, target: Target): ParseResult<ParsedComparison[]>
function parseComparisons(s: State, semi: Token, target: Target): ParseResult<ParsedComparison[]> {
  const example = target.kind === 'score' ? 'tags.long_hair;>=0.8' : target.kind === 'similarity' ? 'sim;>=0.25' : exampleFor(target.field)
  const comparisons: ParsedComparison[] = []
  let separator = semi
  for (;;) {
    const opToken = peek(s)
    if (opToken.kind !== 'op') return missingOperator(opToken, separator, example)
    if (comparisons.length === QUERY_LIMITS.maxComparisons) {
      return failure(`more than ${QUERY_LIMITS.maxComparisons} comparisons in one clause`, opToken.span.start,
        `join at most ${QUERY_LIMITS.maxComparisons} with "&"; a range needs only two, e.g. width;>=100&<=200`)
    }
    advance(s)
    const collected = collect(s, VALUE_STOPS, true)
    if (!collected.ok) return collected
    const tokens = collected.value
    const first = tokens[0]
    if (!first) return failure(`missing value after "${opToken.text}"`, opToken.span.start, `e.g. ${example}`)
    if (first.kind === 'op') return failure(`unknown operator "${opToken.text}${first.text}"`, opToken.span.start, `${OPERATOR_HINT}, e.g. ${example}`)
    const value = parseValue(s, tokens, target, opToken)
    if (!value.ok) return value
    comparisons.push({ op: opToken.op, value: value.value, span: { start: opToken.span.start, end: s.lastEnd } } as ParsedComparison)
    if (peek(s).kind !== 'amp') return ok(comparisons)
    separator = advance(s)
  }
}

function missingOperator(token: Token, separator: Token, example: string): Failure {
  const hint = `${OPERATOR_HINT}, e.g. ${example}`
  if (token.kind === 'end' || token.kind === 'comma' || token.kind === 'pipe' || token.kind === 'rparen' || token.kind === 'amp') {
    return failure(`missing comparison after "${separator.text}"`, separator.span.start, `e.g. ${example}`)
  }
  if (token.kind === 'quoted' && !token.terminated) return failure('unterminated quote', token.span.start, 'close it with "')
  if (token.kind === 'backslash') return danglingBackslash(token)
  if (token.kind === 'quoted' || (token.kind === 'word' && /^[\p{L}\p{N}._+-]/u.test(token.text))) {
    return failure(`expected an operator before "${show(token.text)}"`, token.span.start, hint)
  }
  const operator = token.kind === 'word' ? String.fromCodePoint(token.text.codePointAt(0) ?? 63) : token.text
  return failure(`unknown operator "${operator}"`, token.span.start, hint)
}

/**
 * A comparison value, typed by the target: tag score, number, boolean, date or string; or `null`
 * (bare, on a field). Single quotes quote a value as double quotes do, as in PxIMSE
 * (`userid;='12345'`), but they end at the clause's end: only double quotes keep `,` and `|`.
 */
function parseValue(s: State, tokens: readonly Token[], target: Target, opToken: Extract<Token, { kind: 'op' }>): ParseResult<Value | { kind: 'null' }> {
  const start = tokens[0]?.span.start ?? opToken.span.end
  const end = tokens[tokens.length - 1]?.span.end ?? start
  const source = s.text.slice(start, end)
  let raw = tokens.map(literal).join('')
  if (source.startsWith("'")) {
    if (source.length < 2 || !source.endsWith("'")) {
      return failure('unterminated single quote', start, `close it with '; a value that holds "," or "|" needs double quotes: "a,b"`)
    }
    raw = source.slice(1, -1)
  } else if (tokens.length === 1 && tokens[0]?.kind === 'word' && tokens[0].text === 'null') {
    return nullTest(target, opToken)
  }
  if (target.kind === 'score') {
    const score = parseNumber(raw)
    if (score === undefined) return failure(`a tag score is a number from 0 to 1, not "${show(raw)}"`, start, 'e.g. tags.long_hair;>=0.8')
    if (score < 0 || score > 1) return failure(`tag score ${raw} is outside 0 to 1`, start, 'tagger confidence runs from 0 to 1, e.g. tags.long_hair;>=0.8')
    return ok({ kind: 'number', value: score })
  }
  if (target.kind === 'similarity') {
    const similarity = parseNumber(raw)
    if (similarity === undefined || similarity < -1 || similarity > 1) {
      return failure(`a similarity is a number from -1 to 1, not "${show(raw)}"`, start, 'e.g. sim;>=0.25 (CLIP similarities of a good match are about 0.25 to 0.35)')
    }
    return ok({ kind: 'number', value: similarity })
  }
  const field = target.field
  const info = FIELDS[field]
  switch (info.type) {
    case 'number': {
      const value = parseNumber(raw)
      if (value === undefined) return failure(`${field} takes a number, not "${show(raw)}"`, start, `e.g. ${exampleFor(field)}`)
      return ok({ kind: 'number', value })
    }
    case 'boolean': {
      if (opToken.op !== '=' && opToken.op !== '!=') {
        return failure(`${field} is true or false: compare with = or !=`, opToken.span.start, `e.g. ${field};=true, or just ${field}`)
      }
      const value = parseBoolean(raw)
      if (value === undefined) return failure(`${field} takes true or false, not "${show(raw)}"`, start, `e.g. ${field};=true`)
      return ok({ kind: 'boolean', value })
    }
    case 'date': {
      const range = parseDate(raw, s.now)
      if (!range.ok) {
        // Point inside the value when it is written plainly; at its start when quotes or escapes shift it.
        return s.text.slice(start, end) === raw ? shifted(range, start) : failure(range.error.message, start, range.error.hint)
      }
      return ok({ kind: 'date', start: range.value.start, end: range.value.end, text: raw })
    }
    case 'string': {
      if ('values' in info && !(info.values as readonly string[]).includes(raw)) {
        const near = didYouMean(raw.toLowerCase(), info.values)
        return failure(`${field} is one of ${info.values.join(', ')}; not "${show(raw)}"`, start, near ? `did you mean "${near}"?` : `e.g. ${exampleFor(field)}`)
      }
      return ok({ kind: 'string', value: raw })
    }
  }
}

/** A bare `null`: a test for a missing value, on fields that can miss one. */
function nullTest(target: Target, opToken: Extract<Token, { kind: 'op' }>): ParseResult<{ kind: 'null' }> {
  const position = opToken.span.end
  if (target.kind === 'score') return failure('a tag score cannot be null', position, 'write !tags.long_hair for images without the tag')
  if (target.kind === 'similarity') return failure('a similarity cannot be null', position, 'e.g. sim;>=0.25')
  if (FIELDS[target.field].type === 'boolean') return failure(`${target.field} is never null: it is true or false`, position, `e.g. ${target.field};=false`)
  if (opToken.op !== '=' && opToken.op !== '!=') {
    return failure(`null is compared with = or !=, not "${opToken.op}"`, opToken.span.start, `${target.field};=null (no value) or ${target.field};!=null (has one); "null" in quotes is the text null`)
  }
  return ok({ kind: 'null' })
}

/** A decimal number (`1e6`, `-3`, `0.5`), finite; -0 becomes 0. */
function parseNumber(raw: string): number | undefined {
  if (!NUMBER.test(raw)) return undefined
  const value = Number(raw)
  if (!Number.isFinite(value)) return undefined
  return value === 0 ? 0 : value
}

function parseBoolean(raw: string): boolean | undefined {
  const lower = raw.toLowerCase()
  if (lower === 'true' || lower === '1') return true
  if (lower === 'false' || lower === '0') return false
  return undefined
}
