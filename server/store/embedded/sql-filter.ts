import type { AndNode, Comparison, QueryNode, SortKey, TextTarget } from '../../query/ast'
import { PIXIV_WITHOUT_USER, type FieldName } from '../../query/fields'
import type { SortCursor } from '../store'

/** A piece of SQL with its positional parameters. User values only ever travel as parameters. */
export interface SqlFragment {
  sql: string
  params: Array<string | number>
}

/** The FROM clause a compiled filter is written against (`i` images, `a` AI parameters). */
const SQL_FROM = 'FROM images i LEFT JOIN ai_parameters a ON a.image_id = i.id'

const AI_FIELDS = new Set(['seed', 'steps', 'cfg', 'sampler', 'model'])

/**
 * The FROM clause for a query: the AI-parameters join only when the query or sort reads it.
 * SQLite does not drop the unused LEFT JOIN by itself, and on a million images the join alone
 * turns a 20 ms count into seconds.
 */
export function sqlFrom(query: QueryNode, sort: SortKey[] = []): string {
  return readsAi(query) || sort.some((key) => AI_FIELDS.has(key.field)) ? SQL_FROM : 'FROM images i'
}

function readsAi(node: QueryNode): boolean {
  switch (node.type) {
    case 'and':
    case 'or':
      return node.children.some(readsAi)
    case 'not':
      return readsAi(node.child)
    case 'compare':
      return AI_FIELDS.has(node.field)
    case 'exists':
      return node.field === 'prompt' || AI_FIELDS.has(node.field)
    case 'text':
      return node.target === 'prompt' || node.target === 'negative'
    default:
      return false
  }
}

/**
 * How a filter is written for the plan it should get. `set`: set clauses as `i.id IN (SELECT …)`,
 * built once, and column comparisons free to use their indexes — right for counting and for results
 * that are a small part of the library. `probe`: set clauses as a correlated EXISTS per row and
 * column comparisons kept off their indexes (SQLite's unary `+`) — right when the results are a
 * large part, so that a page walks the sort index and stops after the first matches instead of
 * collecting and sorting them all.
 */
export type SetStrategy = 'set' | 'probe'

const COLUMNS: Record<FieldName, string> = {
  id: 'i.id', folder: 'i.folder', path: 'i.path', filename: 'i.filename', ext: 'i.ext', format: 'i.format',
  filesize: 'i.filesize', width: 'i.width', height: 'i.height', frames: 'i.frames', animated: 'i.animated',
  hash: 'i.hash', type: 'i.type', illustid: 'i.illustid', page: 'i.page', userid: 'i.userid', username: 'i.username',
  tweetid: 'i.tweetid', postid: 'i.postid', md5: 'i.md5', date: 'i.date', mtime: 'i.mtime', added: 'i.added_at', textlen: 'i.textlen',
  title: 'i.title', views: 'i.views', likes: 'i.likes', bookmarks: 'i.bookmarks', comments: 'i.comments',
  seed: 'a.seed', steps: 'a.steps', cfg: 'a.cfg', sampler: 'a.sampler', model: 'a.model',
}

const FULLTEXT_COLUMN: Record<Exclude<TextTarget, 'tags1'>, { fts: string; plain: string }> = {
  ocr: { fts: 'ocr', plain: 'i.text' },
  prompt: { fts: 'prompt', plain: 'a.prompt' },
  negative: { fts: 'negative_prompt', plain: 'a.negative_prompt' },
}

/**
 * Query AST → SQL WHERE expression, following docs/query-semantics.md. Every leaf is written so it
 * is never NULL, which makes NOT the exact complement (`!(width;>100)` includes images without a width).
 *
 * @example
 * compileSqlFilter(parsed) // { sql: '((i.width IS NOT NULL AND i.width >= ?))', params: [1920] }
 */
export function compileSqlFilter(node: QueryNode, strategy: SetStrategy = 'set', resolveTags?: TagResolver): SqlFragment {
  const compile = (child: QueryNode) => compileSqlFilter(child, strategy, resolveTags)
  switch (node.type) {
    case 'and':
      return join(node.children.map(compile), 'AND', '1')
    case 'or':
      return join(node.children.map(compile), 'OR', '0')
    case 'not': {
      const inner = compile(node.child)
      return { sql: `NOT (${inner.sql})`, params: inner.params }
    }
    case 'compare':
      if (node.field === 'type') return typeCompare(node.comparisons, strategy)
      if (node.field === 'illustid') return sourceIdCompare(node.comparisons, strategy)
      if (node.field === 'textlen') return withText(compare(columnFor('textlen', strategy), node.comparisons), strategy)
      return compare(columnFor(node.field, strategy), node.comparisons)
    case 'exists':
      return exists(node.field, strategy)
    case 'tag':
      return tag(node.name, node.pattern, node.comparisons, strategy, resolveTags)
    case 'tags1':
      return tags1(node.mode, node.values, strategy)
    case 'text':
      return join(node.terms.map((term) => textTerm(node.target, term, strategy)), 'AND', '1')
  }
}

/**
 * Tag name (or `*` pattern) → tag ids, looked up once before the SQL runs. Without it the lookup is
 * a subquery, which inside a per-row EXISTS SQLite evaluates again for every row.
 */
export type TagResolver = (name: string, pattern: boolean) => number[]

/**
 * Up to this many resolved tag ids are parameters of their own (`IN (?, ?, …)`); more travel as
 * one JSON array (`IN (SELECT value FROM json_each(?))`). SQLite takes at most 32,766 parameters a
 * statement: 256 clauses of 500 ids each once exceeded it.
 */
const MAX_INLINE_TAG_IDS = 64

/** Tag ids for `tag_id IN (…)`: one parameter each, or one JSON array past MAX_INLINE_TAG_IDS. */
export function tagIdList(ids: readonly number[]): SqlFragment {
  return ids.length <= MAX_INLINE_TAG_IDS
    ? { sql: ids.map(() => '?').join(', '), params: [...ids] }
    : { sql: 'SELECT value FROM json_each(?)', params: [JSON.stringify(ids)] }
}

/** A column as an expression; `+col` keeps SQLite from driving the scan with its index. */
function columnFor(field: string, strategy: SetStrategy): string {
  const column = COLUMNS[field as FieldName]
  return strategy === 'probe' ? `+${column}` : column
}

/** Up to this many terms are one flat `a AND b AND …` (SQLite nests it one level per term). */
const FLAT_TERMS = 8

/**
 * Terms joined by AND or OR. A long list becomes a balanced tree of parenthesised halves, so its
 * depth in SQLite's expression tree grows with log2 of its length rather than the length: SQLite
 * refuses trees deeper than 1000 ("Expression tree is too large").
 */
function join(parts: SqlFragment[], operator: 'AND' | 'OR', empty: string): SqlFragment {
  if (!parts.length) return { sql: empty, params: [] }
  if (parts.length === 1) return parts[0]!
  if (parts.length > FLAT_TERMS) {
    const half = Math.ceil(parts.length / 2)
    return join([join(parts.slice(0, half), operator, empty), join(parts.slice(half), operator, empty)], operator, empty)
  }
  return { sql: `(${parts.map((part) => part.sql).join(` ${operator} `)})`, params: parts.flatMap((part) => part.params) }
}

/**
 * `illustid` is the source's id of the work, as in PxIMSE: the pixiv illust id, the tweet id or the
 * yande.re post id (an image has one of them). Each column keeps its own index.
 */
function sourceIdCompare(comparisons: Comparison[], strategy: SetStrategy): SqlFragment {
  return join(['illustid', 'tweetid', 'postid'].map((field) => compare(columnFor(field, strategy), comparisons)), 'OR', '0')
}

/** PxIMSE's `textlen;…` holds only for images with OCR text (`text: {$ne: null}`): no text is not length 0. */
function withText(inner: SqlFragment, strategy: SetStrategy): SqlFragment {
  return { sql: `(${columnFor('textlen', strategy)} > 0 AND ${inner.sql})`, params: inner.params }
}

/** `type;=pixiv1` (PXIMSE's type of pixiv files named without a user id) is a test on the file name. */
function typeCompare(comparisons: Comparison[], strategy: SetStrategy): SqlFragment {
  const column = columnFor('type', strategy)
  const parts = comparisons.map(({ op, value }): SqlFragment => {
    if (value.kind !== 'string' || value.value !== PIXIV_WITHOUT_USER) return compare(column, [{ op, value, span: { start: 0, end: 0 } }])
    const sql = `(${column} = 'pixiv' AND NOT (${columnFor('filename', strategy)} GLOB '*_*_p[0-9]*'))`
    return { sql: op === '=' ? sql : `NOT ${sql}`, params: [] }
  })
  return join(parts, 'AND', '1')
}

/** `col IS NOT NULL AND …` for every comparison: a missing value never compares true (nor NULL). */
function compare(column: string, comparisons: Comparison[]): SqlFragment {
  const parts = comparisons.map((comparison) => comparisonSql(column, comparison))
  const inner = join(parts, 'AND', '1')
  return { sql: `(${column} IS NOT NULL AND ${inner.sql})`, params: inner.params }
}

function comparisonSql(column: string, { op, value }: Comparison): SqlFragment {
  if (value.kind === 'date') {
    switch (op) {
      case '=': return { sql: `(${column} >= ? AND ${column} < ?)`, params: [value.start, value.end] }
      case '!=': return { sql: `(${column} < ? OR ${column} >= ?)`, params: [value.start, value.end] }
      case '>': return { sql: `${column} >= ?`, params: [value.end] }
      case '>=': return { sql: `${column} >= ?`, params: [value.start] }
      case '<': return { sql: `${column} < ?`, params: [value.start] }
      case '<=': return { sql: `${column} < ?`, params: [value.end] }
    }
  }
  const param = value.kind === 'boolean' ? Number(value.value) : value.value
  return { sql: `${column} ${op === '!=' ? '<>' : op} ?`, params: [param] }
}

/**
 * A per-row probe: does `table` hold a row for this image matching `condition`? `LIMIT 1` keeps
 * SQLite (3.50+) from rewriting the EXISTS into a join of the outer query: such a join loop stops at
 * its first match, but when a later term fails it steps on to the next matching row, and over many
 * tag clauses (`tags.*` matches every tag of an image) that backtracking grows exponentially. A
 * 256-clause query with one failing tags1 clause took 20 s on 40 images; with the limit, 2 ms.
 */
function probeExists(table: 'image_tags' | 'tags1', condition?: string): string {
  return `EXISTS (SELECT 1 FROM ${table} WHERE image_id = i.id${condition ? ` AND ${condition}` : ''} LIMIT 1)`
}

function exists(field: string, strategy: SetStrategy): SqlFragment {
  const probe = strategy === 'probe'
  switch (field) {
    case 'tags': return { sql: probe ? probeExists('image_tags') : 'i.id IN (SELECT image_id FROM image_tags)', params: [] }
    case 'tags1': return { sql: probe ? probeExists('tags1') : 'i.id IN (SELECT image_id FROM tags1)', params: [] }
    case 'm': return { sql: `${columnFor('textlen', strategy)} > 0`, params: [] }
    case 'prompt': return { sql: 'a.image_id IS NOT NULL', params: [] }
    case 'animated': return { sql: `${columnFor('animated', strategy)} = 1`, params: [] }
    case 'illustid': return { sql: `(${['illustid', 'tweetid', 'postid'].map((f) => `${columnFor(f, strategy)} IS NOT NULL`).join(' OR ')})`, params: [] }
    default: return { sql: `${columnFor(field, strategy)} IS NOT NULL`, params: [] }
  }
}

function tag(name: string, pattern: boolean, comparisons: Comparison[], strategy: SetStrategy, resolveTags?: TagResolver): SqlFragment {
  const resolved = resolveTags?.(name, pattern)
  if (resolved && !resolved.length) return { sql: '0', params: [] }
  const tagIds = resolved
    ? tagIdList(resolved)
    : pattern
      ? { sql: 'SELECT id FROM tag_names WHERE name GLOB ?', params: [toGlob(name)] }
      : { sql: 'SELECT id FROM tag_names WHERE name = ?', params: [name] }
  const scores = scoreConditions(comparisons, 'score')
  const scoreSql = scores.sql ? ` AND ${scores.sql}` : ''
  const params = [...tagIds.params, ...scores.params]
  return strategy === 'probe'
    ? { sql: probeExists('image_tags', `tag_id IN (${tagIds.sql})${scoreSql}`), params }
    : { sql: `i.id IN (SELECT image_id FROM image_tags WHERE tag_id IN (${tagIds.sql})${scoreSql})`, params }
}

/** A tag clause's score comparisons against a score column, ANDed; empty SQL when there are none. */
export function scoreConditions(comparisons: Comparison[], column: string): SqlFragment {
  if (!comparisons.length) return { sql: '', params: [] }
  return join(comparisons.map((comparison) => comparisonSql(column, comparison)), 'AND', '1')
}

/** `*` is the only wildcard; GLOB's own `?` and `[` become literal. */
export function toGlob(name: string): string {
  return name.replace(/[?[]/g, (char) => `[${char}]`)
}

function tags1(mode: 'all' | 'any' | 'none', values: string[], strategy: SetStrategy): SqlFragment {
  const having = (condition: string) => strategy === 'probe'
    ? probeExists('tags1', condition)
    : `i.id IN (SELECT image_id FROM tags1 WHERE ${condition})`
  if (mode === 'all') return join(values.map((value) => ({ sql: having('value = ?'), params: [value] })), 'AND', '1')
  const any = { sql: having(`value IN (${values.map(() => '?').join(', ')})`), params: values }
  return mode === 'any' ? any : { sql: `NOT (${any.sql})`, params: any.params }
}

/**
 * One full-text term. Terms of three or more characters use the FTS5 trigram index; shorter ones
 * (common in Japanese: 雨, 東京) cannot, and fall back to a substring scan.
 */
function textTerm(target: TextTarget, term: string, strategy: SetStrategy): SqlFragment {
  const fts = target === 'tags1' ? 'tags1' : FULLTEXT_COLUMN[target].fts
  const substring = target === 'tags1'
    // A tags1 term must sit inside one value, not span two of the joined column.
    ? { sql: probeExists('tags1', 'instr(lower(value), lower(?)) > 0'), params: [term] }
    : { sql: `${FULLTEXT_COLUMN[target].plain} IS NOT NULL AND instr(lower(${FULLTEXT_COLUMN[target].plain}), lower(?)) > 0`, params: [term] }
  if ([...term].length < 3) {
    if (target === 'tags1' && strategy === 'set') return { sql: 'i.id IN (SELECT image_id FROM tags1 WHERE instr(lower(value), lower(?)) > 0)', params: [term] }
    return { sql: `(${substring.sql})`, params: substring.params }
  }
  // The trigram index narrows the candidates; the substring check then applies the exact rule
  // (the index folds case in every script, the rule only ASCII: `café` must not find `CAFÉ`).
  return {
    sql: `(${strategy === 'probe' ? '+' : ''}i.id IN (SELECT rowid FROM fulltext WHERE fulltext MATCH ?) AND ${substring.sql})`,
    params: [`${fts} : "${term.replaceAll('"', '""')}"`, ...substring.params],
  }
}

/** ORDER BY for the sort keys plus the id tie-break. NULLs come first ascending, last descending. */
export function compileSqlOrder(keys: SortKey[]): string {
  return [...withTieBreak(keys).map((key) => `${sortExpression(key.field)} ${key.direction === 1 ? 'ASC' : 'DESC'}`)].join(', ')
}

/**
 * The SQL value a sort key orders by: a column, or for `tags.NAME` the image's score of that tag
 * (NULL without it). The name travels as a hex blob literal, so no text of the query reaches the
 * SQL as SQL (ORDER BY takes no parameters here: the same text serves the keyset and the SELECT).
 */
export function sortExpression(field: string): string {
  if (!field.startsWith('tags.')) return COLUMNS[field as FieldName]
  const hex = Buffer.from(field.slice('tags.'.length), 'utf8').toString('hex')
  return `(SELECT score FROM image_tags WHERE image_id = i.id AND tag_id = (SELECT id FROM tag_names WHERE name = CAST(X'${hex}' AS TEXT)))`
}

/** The keys up to and including `id` (unique, so later keys never decide), ending in `id` descending if absent. */
export function withTieBreak(keys: SortKey[]): SortKey[] {
  const idAt = keys.findIndex((key) => key.field === 'id')
  if (idAt >= 0) return keys.slice(0, idAt + 1)
  return [...keys, { field: 'id', direction: -1, span: { start: 0, end: 0 } }]
}

/** The sort values of a row, in key order (for the next page's cursor). */
export function sortColumns(keys: SortKey[]): string[] {
  return withTieBreak(keys).filter((key) => key.field !== 'id').map((key) => sortExpression(key.field))
}

/**
 * Rows strictly after the cursor in the sort order: (k1 after v1) OR (k1 = v1 AND k2 after v2) …
 * with NULL placed as SQLite sorts it (smallest).
 */
export function compileKeyset(keys: SortKey[], cursor: SortCursor): SqlFragment {
  const ordered = withTieBreak(keys)
  const values = [...cursor.values, cursor.id]
  const branches: SqlFragment[] = []
  for (let k = 0; k < ordered.length; k++) {
    const equal = ordered.slice(0, k).map((key, j) => isEqual(sortExpression(key.field), values[j] ?? null))
    const after = isAfter(sortExpression(ordered[k]!.field), ordered[k]!.direction, values[k] ?? null)
    if (!after) continue
    branches.push(join([...equal, after], 'AND', '1'))
  }
  return join(branches, 'OR', '0')
}

function isEqual(column: string, value: string | number | boolean | null): SqlFragment {
  return value === null ? { sql: `${column} IS NULL`, params: [] } : { sql: `${column} = ?`, params: [typeof value === 'boolean' ? Number(value) : value] }
}

function isAfter(column: string, direction: 1 | -1, value: string | number | boolean | null): SqlFragment | undefined {
  if (value === null) return direction === 1 ? { sql: `${column} IS NOT NULL`, params: [] } : undefined
  const param = typeof value === 'boolean' ? Number(value) : value
  return direction === 1 ? { sql: `${column} > ?`, params: [param] } : { sql: `(${column} < ? OR ${column} IS NULL)`, params: [param] }
}
