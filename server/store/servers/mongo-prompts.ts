import type { NameCount, NumberSummary, PromptHit, PromptSearchPage, PromptStats } from '../../../shared/types/prompt'
import { FullTextQueryError } from '../full-text-query-error'
import type { PromptSearchRequest } from '../store'
import type { ServersCollections, StoredImageDocument } from './mongo-collections'
import { escapeRegex, type MongoFilter } from './mongo-filter'
import { compareText } from './mongo-pixiv'

/** How many samplers and models the stats list. */
const TOP = 20

/** One term of a prompt query: words that must (or, negated, must not) appear in a column. */
export interface PromptTerm {
  words: string[]
  prefix: boolean
  negated: boolean
  column?: 'prompt' | 'negative'
}

const COLUMNS: Record<string, PromptTerm['column']> = { prompt: 'prompt', negative: 'negative', negative_prompt: 'negative' }

/**
 * The subset of the FTS5 query syntax the MongoDB fallback runs: words, "phrases", `prefix*`,
 * `NOT term`, `column: term` (prompt, negative, negative_prompt), all terms required. NEAR, OR,
 * brackets and `^` are refused by name rather than run differently (docs/servers-profile.md).
 *
 * @example
 * parsePromptQuery('"long hair" NOT negative: blurry') // [{ words: ['long', 'hair'], … }, { words: ['blurry'], negated: true, column: 'negative', … }]
 */
export function parsePromptQuery(query: string): PromptTerm[] {
  if (!query.trim()) throw new FullTextQueryError('empty query', 'write a word, e.g. masterpiece, or a phrase in double quotes')
  const terms: PromptTerm[] = []
  const tokens = query.match(/"(?:[^"]|"")*"?|[^\s"]+/g) ?? []
  let negated = false
  let column: PromptTerm['column'] | undefined
  for (let token of tokens) {
    if (token === 'NOT') {
      if (!terms.length && !negated) throw new FullTextQueryError('syntax error near "NOT"', 'NOT joins two terms: write one on each side')
      negated = true
      continue
    }
    if (token === 'AND') continue
    if (token === 'OR' || token.startsWith('NEAR(') || /[()^]/.test(token)) {
      throw new FullTextQueryError(`"${token}" is not supported by the servers profile's prompt search`, 'use words, "phrases", prefix* and NOT')
    }
    const named = /^([a-z_]+):(.*)$/.exec(token)
    if (named && !token.startsWith('"')) {
      const target = COLUMNS[named[1]!]
      if (!target) throw new FullTextQueryError(`unknown column "${named[1]}": the columns are prompt and negative_prompt (or negative)`)
      column = target
      token = named[2]!
      if (!token) continue
    }
    if (token.startsWith('"') && (token.length < 2 || !token.endsWith('"'))) throw new FullTextQueryError('unclosed double quote', 'close it, or write "" for a quote inside a phrase')
    const prefix = token.endsWith('*')
    const text = token.startsWith('"') ? token.slice(1, -1).replace(/""/g, '"') : token.replace(/\*$/, '')
    const words = text.split(/[^\p{L}\p{N}]+/u).filter(Boolean)
    if (!words.length) {
      if (prefix) throw new FullTextQueryError('"*" with no word before it', 'put "*" right after a word for a prefix search, e.g. master*')
      continue
    }
    terms.push({ words, prefix, negated, ...(column ? { column } : {}) })
    negated = false
    column = undefined
  }
  if (negated) throw new FullTextQueryError('unexpected end: an operator, bracket or NEAR( is missing what follows it', 'finish it, or quote the words, e.g. "AND"')
  if (!terms.some((term) => !term.negated)) throw new FullTextQueryError('a query needs at least one term that is not negated')
  return terms
}

/** The regex of a term: its words in a row, whole words (the last a prefix with `*`), any case. */
function termRegex(term: PromptTerm): string {
  const body = term.words.map(escapeRegex).join('[^\\p{L}\\p{N}]+')
  // No lookarounds: FerretDB runs Go's RE2, which has none.
  return `(?:^|[^\\p{L}\\p{N}])${body}${term.prefix ? '' : '(?:[^\\p{L}\\p{N}]|$)'}`
}

function termFilter(term: PromptTerm): MongoFilter {
  const regex = { $regex: termRegex(term), $options: 'i' }
  const paths = term.column === 'prompt' ? ['ai.prompt'] : term.column === 'negative' ? ['ai.negativePrompt'] : ['ai.prompt', 'ai.negativePrompt']
  const matches = paths.length === 1 ? { [paths[0]!]: regex } : { $or: paths.map((path) => ({ [path]: regex })) }
  return term.negated ? { $nor: [matches] } : matches
}

/** A relevance like bm25's weights: matches in the prompt count twice those in the negative prompt. */
function scoreOf(doc: StoredImageDocument, terms: PromptTerm[]): number {
  let score = 0
  for (const term of terms) {
    if (term.negated) continue
    const regex = new RegExp(termRegex(term), 'giu')
    score += (doc.ai?.prompt.match(regex)?.length ?? 0) + 0.5 * (doc.ai?.negativePrompt?.match(regex)?.length ?? 0)
  }
  return score
}

/** Prompt search and prompt stats of the servers profile, over MongoDB alone. */
export class MongoPrompts {
  constructor(private readonly c: ServersCollections) {}

  async search({ query, limit, offset = 0 }: PromptSearchRequest): Promise<PromptSearchPage> {
    const terms = parsePromptQuery(query)
    const filter: MongoFilter = { $and: [{ ai: { $exists: true } }, ...terms.map(termFilter)] }
    const matches = await this.c.images.find(filter, { projection: { id: 1, ai: 1, folder: 1, path: 1, hash: 1, width: 1, height: 1 } }).toArray()
    const ranked = matches.map((doc) => ({ doc, score: scoreOf(doc as StoredImageDocument, terms) }))
      .sort((a, b) => b.score - a.score || a.doc.id - b.doc.id)
    const results = ranked.slice(offset, offset + limit).map(({ doc, score }) => toHit(doc as StoredImageDocument, score))
    const next = offset + results.length
    return { total: ranked.length, results, nextOffset: results.length && next < ranked.length ? next : null }
  }

  async stats(): Promise<PromptStats> {
    const images = await this.c.images.countDocuments({})
    const withAi: StoredImageDocument[] = []
    // FerretDB v1 has no $min/$max/$avg accumulators, so the summaries are computed here.
    for await (const doc of this.c.images.find({ ai: { $exists: true } }, { projection: { ai: 1 } })) withAi.push(doc)
    const count = (values: Array<string | undefined>): NameCount[] => {
      const counts = new Map<string, number>()
      for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1)
      return [...counts].map(([name, n]) => ({ name, count: n })).sort((a, b) => b.count - a.count || compareText(a.name, b.name))
    }
    return {
      images,
      withAiParameters: withAi.length,
      withPrompt: withAi.filter((doc) => trimSpaces(doc.ai!.prompt) !== '').length,
      withNegativePrompt: withAi.filter((doc) => trimSpaces(doc.ai!.negativePrompt ?? '') !== '').length,
      sources: count(withAi.map((doc) => doc.ai!.source)),
      samplers: count(withAi.map((doc) => doc.ai!.sampler)).slice(0, TOP),
      models: count(withAi.map((doc) => doc.ai!.model)).slice(0, TOP),
      steps: summary(withAi.map((doc) => doc.ai!.steps)),
      cfg: summary(withAi.map((doc) => doc.ai!.cfg)),
    }
  }
}

/** SQLite's trim(): spaces only. */
function trimSpaces(text: string): string {
  return text.replace(/^ +| +$/g, '')
}

function summary(values: Array<number | undefined>): NumberSummary {
  const numbers = values.filter((value): value is number => typeof value === 'number')
  if (!numbers.length) return null
  return { min: Math.min(...numbers), max: Math.max(...numbers), mean: numbers.reduce((a, b) => a + b, 0) / numbers.length }
}

function toHit(doc: StoredImageDocument, score: number): PromptHit {
  const ai = doc.ai!
  const seed = ai.seed ?? ai.extra?.seed
  return {
    id: doc.id,
    score,
    source: ai.source,
    prompt: ai.prompt,
    ...(ai.negativePrompt === undefined ? {} : { negativePrompt: ai.negativePrompt }),
    ...(seed === undefined ? {} : { seed }),
    ...(ai.steps === undefined ? {} : { steps: ai.steps }),
    ...(ai.cfg === undefined ? {} : { cfg: ai.cfg }),
    ...(ai.sampler === undefined ? {} : { sampler: ai.sampler }),
    ...(ai.model === undefined ? {} : { model: ai.model }),
    folder: doc.folder,
    path: doc.path,
    hash: doc.hash,
    width: doc.width,
    height: doc.height,
  }
}
