/**
 * The typed syntax tree of a Sagasu query. Every node carries its character range in the query
 * text, so errors and the explain view can point at the clause they talk about. The query module
 * knows nothing of stores: compilers (to SQL, to a MongoDB filter) turn this tree into their form.
 */

/** Character range [start, end) in the query text. */
export interface Span {
  start: number
  end: number
}

export type CompareOp = '<' | '<=' | '>' | '>=' | '=' | '!='

/** A typed literal. Dates are resolved to a UTC millisecond range at parse time. */
export type Value =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  /**
   * [start, end) in epoch ms: `2020` covers the year, `2020-05-01` the day, `-30d` the instant
   * 30 days before `now`. `text` is what the user wrote, for printing.
   */
  | { kind: 'date'; start: number; end: number; text: string }

export interface Comparison {
  op: CompareOp
  value: Value
  span: Span
}

export type QueryNode =
  | AndNode
  | OrNode
  | NotNode
  | TagNode
  | Tags1Node
  | CompareNode
  | ExistsNode
  | TextNode

/** All children must match. The top of every query is an AndNode (possibly with no children). */
export interface AndNode {
  type: 'and'
  children: QueryNode[]
  span: Span
  /** Only on the top node of a parsed query: its ranking clauses, when it has any. */
  rank?: RankClause[]
}

/**
 * A clause that ranks by CLIP similarity instead of filtering; top level only, at most one of each
 * kind: `clip:"red hair"` (CLIP text), `similar:123` (like image 123), `sim;>=0.25` (a threshold on
 * the similarity, -1 to 1). The search combines them with the filters (docs/query-language.md).
 */
export type RankClause =
  | { kind: 'clip'; text: string; span: Span }
  | { kind: 'similar'; id: number; span: Span }
  | { kind: 'sim'; comparisons: Comparison[]; span: Span }

/** At least one child must match: `(a | b)`. */
export interface OrNode {
  type: 'or'
  children: QueryNode[]
  span: Span
}

/** `!clause` or `!(group)`. */
export interface NotNode {
  type: 'not'
  child: QueryNode
  span: Span
}

/**
 * `tags.long_hair` (present), `tags.long_hair;>=0.8&<0.95` (score), `tags.*_hair` (wildcard:
 * some tag whose name matches; with comparisons, some matching tag whose score satisfies all).
 */
export interface TagNode {
  type: 'tag'
  /** The name as written; with `pattern` true, `*` matches any run of characters. */
  name: string
  pattern: boolean
  comparisons: Comparison[]
  span: Span
}

/**
 * `tags1:a, tags1:b` (all), `|tags1:a, |tags1:b` (any), `!tags1:a` (none of them): each clause names
 * one value (everything after the first `:`); the parser merges sibling clauses of a mode into one node.
 */
export interface Tags1Node {
  type: 'tags1'
  mode: 'all' | 'any' | 'none'
  values: string[]
  span: Span
}

/** `width;>=1920`, `date;>2020-01-01&<2021-01-01`: every comparison must hold. */
export interface CompareNode {
  type: 'compare'
  field: string
  comparisons: Comparison[]
  span: Span
}

/** `field`: the field has a value (a non-empty list or text for `tags1`, `tags`, `m`); `animated` means true. */
export interface ExistsNode {
  type: 'exists'
  field: string
  span: Span
}

/**
 * Full text: `m;…` (OCR text), `mt;…` (tags1), `prompt;…` (AI prompt), `negative;…` (negative prompt).
 * Whitespace-separated terms must all occur, each as a case-insensitive substring.
 */
export interface TextNode {
  type: 'text'
  target: TextTarget
  terms: string[]
  /** The value as written, for printing and explain. */
  text: string
  span: Span
}

export type TextTarget = 'ocr' | 'tags1' | 'prompt' | 'negative'

export interface SortKey {
  field: string
  direction: 1 | -1
  span: Span
}

/** A parsed query and sort, or the first error with its position. Parsing never throws. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: QueryDiagnostic }

export interface QueryDiagnostic {
  message: string
  /** 0-based character offset into the query text. */
  position: number
  hint?: string
}
