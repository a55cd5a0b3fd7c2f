import type { AndNode, Comparison, QueryNode, SortKey, TextTarget } from '../../query/ast'
import { FIELDS, isField, PIXIV_WITHOUT_USER, type FieldName } from '../../query/fields'
import { tagScorePath } from './tag-scores'

/**
 * A MongoDB filter as plain JSON (no `mongodb` package types): what `collection.find()` takes.
 * It only uses operators FerretDB v1 also has: `$and $or $nor $elemMatch $regex $in $nin $all
 * $exists $eq $ne $lt $lte $gt $gte` — never `$expr`, `$where` or `$text`.
 */
export type MongoFilter = Record<string, unknown>

/** Document paths behind the query's field names (see MongoImageDocument): the same name at the top level (pixiv's title and counts too), AI parameters under `ai`. */
const PATHS: Record<FieldName, string> = {
  ...(Object.fromEntries(Object.keys(FIELDS).map((name) => [name, name])) as Record<FieldName, string>),
  seed: 'ai.seed',
  steps: 'ai.steps',
  cfg: 'ai.cfg',
  sampler: 'ai.sampler',
  model: 'ai.model',
}

const TEXT_PATHS: Record<TextTarget, string> = {
  ocr: 'text',
  tags1: 'tags1',
  prompt: 'ai.prompt',
  negative: 'ai.negativePrompt',
}

/** Matches no document: the value of an empty OR. */
const NOTHING: MongoFilter = { $nor: [{}] }

/**
 * Query AST → MongoDB filter over MongoImageDocument, following docs/query-semantics.md: a
 * comparison never matches a missing field, and `!clause` is `$nor`, the exact complement.
 *
 * @example
 * compileMongoFilter(parsed) // width;>=1920 tags.long_hair → { width: { $gte: 1920 }, tagList: { $elemMatch: { n: 'long_hair' } } }
 */
export function compileMongoFilter(query: AndNode, options: MongoFilterOptions = {}): MongoFilter {
  return compileNode(query, options)
}

export interface MongoFilterOptions {
  /** The tag names a pattern (`*_hair`) matches, for pattern clauses with score comparisons. */
  tagNamesMatching?: (pattern: string) => string[]
}

/**
 * Sort keys → a MongoDB sort document, with `id` descending as the final tie-break unless `id`
 * is already a key. Missing values sort first ascending and last descending, as in SQLite.
 *
 * @example
 * compileMongoSort([{ field: 'seed', direction: 1, span }]) // { 'ai.seed': 1, id: -1 }
 */
export function compileMongoSort(keys: SortKey[]): Record<string, 1 | -1> {
  const sort: Record<string, 1 | -1> = {}
  for (const key of keys) {
    const path = sortPath(key.field)
    // A repeated key cannot change the order: the first one decides.
    if (!Object.hasOwn(sort, path)) sort[path] = key.direction
  }
  if (!Object.hasOwn(sort, 'id')) sort.id = -1
  return sort
}

function compileNode(node: QueryNode, options: MongoFilterOptions): MongoFilter {
  switch (node.type) {
    case 'and':
      return allOf(node.children.map((child) => compileNode(child, options)))
    case 'or':
      return anyOf(node.children.map((child) => compileNode(child, options)))
    case 'not':
      return { $nor: [compileNode(node.child, options)] }
    case 'compare': {
      if (node.field === 'illustid') return anyOf(SOURCE_ID_PATHS.map((path) => allOf(node.comparisons.map((comparison) => compare(path, comparison)))))
      if (node.field === 'type') return allOf(node.comparisons.map(typeCompare))
      const path = fieldPath(node.field)
      const compared = allOf(node.comparisons.map((comparison) => compare(path, comparison)))
      // PxIMSE's `textlen;…` holds only for images with OCR text: no text is not length 0.
      return node.field === 'textlen' ? allOf([{ textlen: { $gt: 0 } }, compared]) : compared
    }
    case 'exists':
      return exists(node.field)
    case 'tag':
      return tag(node.name, node.pattern, node.comparisons, options)
    case 'tags1':
      return tags1(node.mode, node.values)
    case 'text':
      return text(TEXT_PATHS[node.target], node.terms)
  }
}

/** `illustid` is the source's id of the work (pixiv illust, tweet or yande.re post), as in PxIMSE; an image has one. */
const SOURCE_ID_PATHS = ['illustid', 'tweetid', 'postid']

/** `type;=pixiv1`: pixiv files named without a user id (`{illustid}_p{page}`), read from the file name. */
function typeCompare(comparison: Comparison): MongoFilter {
  const { op, value } = comparison
  if (value.kind !== 'string' || value.value !== PIXIV_WITHOUT_USER) return compare('type', comparison)
  const pixiv1 = { type: 'pixiv', $nor: [{ filename: { $regex: '_.*_p[0-9]' } }] }
  return op === '=' ? pixiv1 : { $nor: [pixiv1] }
}

/** The document path a sort key orders by: a field's, or a tag's score (tag-scores.ts). */
function sortPath(field: string): string {
  return field.startsWith('tags.') ? tagScorePath(field.slice('tags.'.length)) : fieldPath(field)
}

function fieldPath(field: string): string {
  if (!isField(field)) throw new Error(`unknown field ${field}`)
  return PATHS[field]
}

/**
 * One comparison on a document path. `$ne` alone would match documents without the field, so it
 * is paired with `$exists` (absent fields are left out, never null). Dates cover [start, end).
 */
function compare(path: string, { op, value }: Comparison): MongoFilter {
  if (value.kind === 'date') {
    switch (op) {
      case '=': return { [path]: { $gte: value.start, $lt: value.end } }
      case '!=': return { $or: [{ [path]: { $lt: value.start } }, { [path]: { $gte: value.end } }] }
      case '>': return { [path]: { $gte: value.end } }
      case '>=': return { [path]: { $gte: value.start } }
      case '<': return { [path]: { $lt: value.start } }
      case '<=': return { [path]: { $lt: value.end } }
    }
  }
  switch (op) {
    case '=': return { [path]: { $eq: value.value } }
    case '!=': return { [path]: { $exists: true, $ne: value.value } }
    case '<': return { [path]: { $lt: value.value } }
    case '<=': return { [path]: { $lte: value.value } }
    case '>': return { [path]: { $gt: value.value } }
    case '>=': return { [path]: { $gte: value.value } }
  }
}

function exists(field: string): MongoFilter {
  switch (field) {
    case 'tags': return { 'tagNames.0': { $exists: true } }
    case 'tags1': return { 'tags1.0': { $exists: true } }
    case 'm': return { textlen: { $gt: 0 } }
    case 'prompt': return { ai: { $exists: true } }
    case 'animated': return { animated: true }
    case 'illustid': return anyOf(SOURCE_ID_PATHS.map((path) => ({ [path]: { $exists: true } })))
    default: return { [fieldPath(field)]: { $exists: true } }
  }
}

/**
 * A tag clause. The name (or pattern) on `tagNames`, whose multikey index serves it; score
 * comparisons on `tagScores.<key>` (tag-scores.ts) of the name — of each name a pattern matches,
 * given by `tagNamesMatching` (without it, as in an explain, the clause shows the pattern and
 * the comparisons under `$comment`, for reading only).
 */
function tag(name: string, pattern: boolean, comparisons: Comparison[], options: MongoFilterOptions): MongoFilter {
  if (!comparisons.length) return { tagNames: pattern ? { $regex: tagPattern(name) } : name }
  const scored = (exact: string) => allOf([{ tagNames: exact }, ...comparisons.map((comparison) => compare(tagScorePath(exact), comparison))])
  if (!pattern) return scored(name)
  const names = options.tagNamesMatching?.(name)
  if (!names) return { tagNames: { $regex: tagPattern(name) }, $comment: `scores ${comparisons.map((c) => `${c.op} ${c.value.kind === 'number' ? c.value.value : '?'}`).join(' and ')} of each matching tag` }
  return anyOf(names.map(scored))
}

/**
 * The regex for a tag-name pattern: the whole name, `*` matching any run of characters and
 * everything else literal.
 *
 * @example
 * tagPattern('st._louis_*') // '^st\\._louis_.*$'
 */
export function tagPattern(name: string): string {
  return `^${name.split('*').map(escapeRegex).join('.*')}$`
}

function tags1(mode: 'all' | 'any' | 'none', values: string[]): MongoFilter {
  switch (mode) {
    // `$all: []` matches nothing; all of no values holds for every image.
    case 'all': return values.length ? { tags1: { $all: values } } : {}
    case 'any': return { tags1: { $in: values } }
    case 'none': return { tags1: { $nin: values } }
  }
}

/**
 * Every term as a substring of the text (of one element, for the `tags1` array), ignoring ASCII
 * case only. The `i` option is not used: MongoDB and JavaScript fold other scripts too (`É`/`é`,
 * full-width `Ａ`/`ａ`, the Kelvin sign), which the rules and the SQL store do not.
 */
function text(path: string, terms: string[]): MongoFilter {
  if (!terms.length) return path === 'tags1' ? exists('tags1') : { [path]: { $exists: true } }
  return allOf(terms.map((term) => ({ [path]: { $regex: asciiCaseless(escapeRegex(term)) } })))
}

/**
 * A regex source matching `s` literally.
 *
 * @example
 * escapeRegex('v1.0 (beta)') // 'v1\\.0 \\(beta\\)'
 */
export function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')
}

/** `[aA]` for every ASCII letter of an escaped pattern (escapes never precede a letter). */
function asciiCaseless(pattern: string): string {
  return pattern.replace(/[a-z]/gi, (letter) => `[${letter.toLowerCase()}${letter.toUpperCase()}]`)
}

function anyOf(filters: MongoFilter[]): MongoFilter {
  if (!filters.length) return NOTHING
  if (filters.length === 1) return filters[0]!
  return { $or: filters }
}

/**
 * The conjunction of filters, as one object when their conditions do not overlap
 * (`{ width: { $gte: 1, $lt: 5 }, type: { $eq: 'pixiv' } }`), else as `$and`.
 */
function allOf(filters: MongoFilter[]): MongoFilter {
  const flat = filters.flatMap((filter) => (isAndOnly(filter) ? filter.$and : [filter]))
  if (flat.length === 1) return flat[0]!
  return merge(flat) ?? { $and: flat }
}

function isAndOnly(filter: MongoFilter): filter is { $and: MongoFilter[] } {
  const keys = Object.keys(filter)
  return keys.length === 1 && keys[0] === '$and'
}

/**
 * Merges filters into one object, or undefined when two of them constrain the same key in a way
 * one object cannot hold (two `$elemMatch`, two `$or`, the same operator twice). Operators on one
 * field combine like `$and` (each is tested on its own), which is what makes merging them exact.
 */
function merge(filters: MongoFilter[]): MongoFilter | undefined {
  const merged: MongoFilter = {}
  for (const filter of filters) {
    for (const [key, condition] of Object.entries(filter)) {
      if (!Object.hasOwn(merged, key)) {
        merged[key] = condition
        continue
      }
      const existing = merged[key]
      if (key.startsWith('$') || !isOperatorObject(existing) || !isOperatorObject(condition)) return undefined
      if (Object.keys(condition).some((op) => Object.hasOwn(existing, op))) return undefined
      merged[key] = { ...existing, ...condition }
    }
  }
  return merged
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const keys = Object.keys(value)
  return keys.length > 0 && keys.every((key) => key.startsWith('$'))
}
