/**
 * Property tests: (1) arbitrary text and (2) mutations of valid queries never make the parsers throw,
 * and always give a tree or an error at a real position; (3) generated trees print to text that reads
 * back to the same tree. The generators build the AST types of ./ast — nothing is re-declared here.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AndNode, CompareOp, Comparison, NotNode, OrNode, ParseResult, QueryNode, SortKey, Span, Value } from './ast'
import { parseDate } from './dates'
import { EXISTS_ONLY, FIELDS, type FieldName } from './fields'
import { parseQuery, parseSort, printQuery, printSort, printTerms } from './index'

const NOW = Date.UTC(2024, 0, 31, 12, 0, 0)
const SPAN: Span = { start: 0, end: 0 }

/** A deep copy without `span` keys: trees compared "modulo spans". */
function withoutSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSpans)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'span').map(([key, item]) => [key, withoutSpans(item)]))
  }
  return value
}

/** Every span in a tree lies inside the text and is not reversed. */
function spansInside(value: unknown, length: number): boolean {
  if (Array.isArray(value)) return value.every((item) => spansInside(item, length))
  if (value === null || typeof value !== 'object') return true
  return Object.entries(value).every(([key, item]) => {
    if (key !== 'span') return spansInside(item, length)
    const span = item as Span
    return Number.isInteger(span.start) && Number.isInteger(span.end) && span.start >= 0 && span.start <= span.end && span.end <= length
  })
}

function validError<T>(result: ParseResult<T>, text: string): boolean {
  if (result.ok) return true
  const { position, message } = result.error
  return Number.isInteger(position) && position >= 0 && position <= text.length && message.length > 0
}

/** The whole contract for one input: no throw, a sane result, and accepted queries round-trip. */
function checkInput(text: string): void {
  const query = parseQuery(text, { now: NOW })
  if (!validError(query, text)) throw new Error(`bad error for ${JSON.stringify(text)}: ${JSON.stringify(query)}`)
  if (query.ok) {
    if (!spansInside(query.value, text.length)) throw new Error(`span outside ${JSON.stringify(text)}`)
    const printed = printQuery(query.value)
    const again = parseQuery(printed, { now: NOW })
    if (!again.ok) throw new Error(`printed ${JSON.stringify(printed)} of ${JSON.stringify(text)} fails: ${again.error.message}`)
    expect(withoutSpans(again.value)).toEqual(withoutSpans(query.value))
  }
  const sort = parseSort(text)
  if (!validError(sort, text)) throw new Error(`bad sort error for ${JSON.stringify(text)}: ${JSON.stringify(sort)}`)
  if (sort.ok) {
    const again = parseSort(printSort(sort.value))
    expect(again.ok && withoutSpans(again.value)).toEqual(withoutSpans(sort.value))
  }
}

// --- (1) arbitrary text ---

/** Characters the language cares about, plus letters, digits, Japanese and odd whitespace. */
const SYNTAX = [...',|()!;&:"\\.*<>=', ' ', '\t', '\u3000', 'a', 'x', 'T', 'Z', '0', '1', '9', '-', 'あ', '日', '\uD800', '\uDC00']
const KEYWORDS = ['tags.', 'tags1', 'tags', 'width', 'date', 'animated', 'userid', 'format', 'm', 'mt', 'prompt', '2020-01-01', '-30d', 'now', 'png', '0.5', '1e6', 'true']

describe('parsers never throw', () => {
  it('on arbitrary strings (30,000)', () => {
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '"', '\\', '(', ')'), maxLength: 12 }),
      fc.string({ maxLength: 80 }),
    )
    fc.assert(fc.property(anyText, checkInput), { numRuns: 30_000 })
  })

  it('on strings of syntax characters and keywords (30,000)', () => {
    const unit = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SYNTAX) }, { weight: 1, arbitrary: fc.constantFrom(...KEYWORDS) })
    fc.assert(fc.property(fc.string({ unit, maxLength: 40 }), checkInput), { numRuns: 30_000 })
  })

  it('on mutations of valid queries (45,000)', () => {
    const seeds = [
      'tags.long_hair',
      '!tags.long_hair, tags.long_hair;>=0.8&<0.95',
      'tags1:a:b, |tags1:c, |tags1:d, !tags1:e',
      '(tags.red_hair | tags.blue_hair), width;>1000',
      'userid;="12345", username;=abc',
      'date;>2020-01-01&<2021-01-01, mtime;>=2020-05-01T12:30:00Z',
      'filesize;>1000000, width;>=1920, textlen;>10',
      'm;ありがとう, mt;words "two words"',
      'animated, !hash, tags, tags1, m, prompt',
      'tags.st._louis_(azur_lane), tags."a,b", tags.*_hair',
      'added;>-30d&<now, format;=png, type;!=pixiv',
      '!(tags.a | tags.b), prompt;1girl, negative;lowres',
      'filesize;1, added, width;-1',
      'filename;=a\\,b, path;="C:\\\\x"',
    ]
    const edit = fc.record({
      kind: fc.constantFrom('insert', 'delete', 'replace'),
      at: fc.nat(),
      ch: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...SYNTAX) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }),
    })
    const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([seed, edits]) => {
      let text = seed
      for (const { kind, at, ch } of edits) {
        const i = at % (text.length + 1)
        if (kind === 'insert') text = text.slice(0, i) + ch + text.slice(i)
        else if (kind === 'delete') text = text.slice(0, i) + text.slice(i + 1)
        else text = text.slice(0, i) + ch + text.slice(i + 1)
      }
      return text
    })
    fc.assert(fc.property(mutated, checkInput), { numRuns: 45_000 })
  })
})

// --- (3) generated trees round-trip through the printer ---

/** Characters for names and values, including every one that needs quoting or escaping. */
const VALUE_CHARS = fc.constantFrom(...'ab_.-1', ' ', ',', '|', '(', ')', '!', ';', '&', ':', '"', '\\', '*', '<', '>', '=', 'あ', '日', '\u3000', '\t')
const valueText = (minLength: number) => fc.string({ unit: VALUE_CHARS, minLength, maxLength: 6 })

const OPS: readonly CompareOp[] = ['<', '<=', '>', '>=', '=', '!=']
const noNegativeZero = (n: number) => (n === 0 ? 0 : n)

const dateText = fc.oneof(
  fc
    .record({
      year: fc.integer({ min: 0, max: 9999 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 59 }),
      parts: fc.integer({ min: 1, max: 5 }),
      z: fc.boolean(),
    })
    .map(({ year, month, day, hour, minute, second, parts, z }) => {
      const p = (n: number, width = 2) => String(n).padStart(width, '0')
      const forms = [p(year, 4), `${p(year, 4)}-${p(month)}`, `${p(year, 4)}-${p(month)}-${p(day)}`]
      forms.push(`${forms[2]}T${p(hour)}:${p(minute)}`, `${forms[2]}T${p(hour)}:${p(minute)}:${p(second)}`)
      return `${forms[parts - 1]}${z ? 'Z' : ''}`
    }),
  fc.tuple(fc.nat({ max: 5000 }), fc.constantFrom('m', 'h', 'd', 'w', 'mo', 'y')).map(([n, unit]) => `-${n}${unit}`),
  fc.constant('now'),
)

const dateValue: fc.Arbitrary<Value> = dateText.map((text) => {
  const range = parseDate(text, NOW)
  if (!range.ok) throw new Error(`generated an invalid date ${text}`)
  return { kind: 'date', start: range.value.start, end: range.value.end, text }
})

const numberValue: fc.Arbitrary<Value> = fc
  .oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))
  .map((n) => ({ kind: 'number', value: noNegativeZero(n) }))

function valueFor(field: FieldName): fc.Arbitrary<Value> {
  const info = FIELDS[field]
  switch (info.type) {
    case 'number':
      return numberValue
    case 'boolean':
      return fc.boolean().map((value) => ({ kind: 'boolean', value }))
    case 'date':
      return dateValue
    case 'string':
      return ('values' in info ? fc.constantFrom(...info.values) : valueText(0)).map((value) => ({ kind: 'string', value }))
  }
}

function comparisonsFor(field: FieldName): fc.Arbitrary<Comparison[]> {
  const ops = FIELDS[field].type === 'boolean' ? fc.constantFrom<CompareOp>('=', '!=') : fc.constantFrom(...OPS)
  return fc.array(
    fc.record({ op: ops, value: valueFor(field) }).map(({ op, value }) => ({ op, value, span: SPAN })),
    { minLength: 1, maxLength: 3 },
  )
}

const FIELD_NAMES = Object.keys(FIELDS) as FieldName[]

const scoreComparison: fc.Arbitrary<Comparison> = fc
  .record({ op: fc.constantFrom(...OPS), score: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 1)) })
  .map(({ op, score }) => ({ op, value: { kind: 'number', value: noNegativeZero(score) }, span: SPAN }))

const leaf: fc.Arbitrary<QueryNode> = fc.oneof(
  fc
    .record({ name: valueText(1), pattern: fc.boolean(), comparisons: fc.array(scoreComparison, { maxLength: 2 }) })
    .map(({ name, pattern, comparisons }): QueryNode => ({
      type: 'tag',
      // Every `*` of a wildcard name is a wildcard; a plain name may hold a literal `*`.
      name: pattern && !name.includes('*') ? `${name}*` : name,
      pattern,
      comparisons,
      span: SPAN,
    })),
  fc
    .record({ mode: fc.constantFrom('all', 'any', 'none' as const), values: fc.array(valueText(1), { minLength: 1, maxLength: 4 }) })
    .map(({ mode, values }): QueryNode => ({ type: 'tags1', mode, values, span: SPAN })),
  fc
    .constantFrom(...FIELD_NAMES)
    .chain((field) => comparisonsFor(field).map((comparisons): QueryNode => ({ type: 'compare', field, comparisons, span: SPAN }))),
  fc.constantFrom(...FIELD_NAMES, ...EXISTS_ONLY).map((field): QueryNode => ({ type: 'exists', field, span: SPAN })),
  fc
    .record({ target: fc.constantFrom('ocr', 'tags1', 'prompt', 'negative' as const), terms: fc.array(valueText(1), { minLength: 1, maxLength: 3 }) })
    .map(({ target, terms }): QueryNode => ({ type: 'text', target, terms, text: printTerms(terms), span: SPAN })),
)

/** The parser merges sibling tags1 clauses of one mode (as PxIMSE does), so a generated list holds at most one of each. */
const oneTags1PerMode = (children: QueryNode[]) => {
  const modes = children.flatMap((child) => (child.type === 'tags1' ? [child.mode] : []))
  return new Set(modes).size === modes.length
}

const tree = fc.letrec<{ node: QueryNode; and: AndNode; or: OrNode; not: NotNode }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', maxDepth: 4 }, leaf, tie('and'), tie('or'), tie('not')),
  and: fc.array(tie('node'), { minLength: 2, maxLength: 3 }).filter(oneTags1PerMode).map((children) => ({ type: 'and', children, span: SPAN })),
  or: fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((children) => ({ type: 'or', children, span: SPAN })),
  not: tie('node').map((child) => ({ type: 'not', child, span: SPAN })),
}))

/** A whole query: the top AndNode (a lone AndNode child would be the same query, so it is unwrapped). */
const query: fc.Arbitrary<AndNode> = fc.array(tree.node, { maxLength: 4 }).filter(oneTags1PerMode).map((children) => {
  const only = children.length === 1 ? children[0] : undefined
  return { type: 'and', children: only?.type === 'and' ? only.children : children, span: SPAN }
})

describe('printed trees read back the same', () => {
  it('queries (5,000)', () => {
    fc.assert(
      fc.property(query, (ast) => {
        const printed = printQuery(ast)
        fc.pre(printed.length <= 4000)
        const parsed = parseQuery(printed, { now: NOW })
        if (!parsed.ok) throw new Error(`${JSON.stringify(printed)} fails at ${parsed.error.position}: ${parsed.error.message}`)
        expect(withoutSpans(parsed.value)).toEqual(withoutSpans(ast))
        expect(printQuery(parsed.value)).toBe(printed)
      }),
      { numRuns: 5_000 },
    )
  })

  it('sorts (1,000)', () => {
    const sortable = FIELD_NAMES.filter((field) => FIELDS[field].sortable)
    const keys: fc.Arbitrary<SortKey[]> = fc
      .uniqueArray(fc.constantFrom(...sortable), { maxLength: 5 })
      .chain((fields) => fc.tuple(...fields.map((field) => fc.constantFrom<1 | -1>(1, -1).map((direction): SortKey => ({ field, direction, span: SPAN })))))
    fc.assert(
      fc.property(keys, (sort) => {
        const parsed = parseSort(printSort(sort))
        expect(parsed.ok && withoutSpans(parsed.value)).toEqual(withoutSpans(sort))
      }),
      { numRuns: 1_000 },
    )
  })
})
