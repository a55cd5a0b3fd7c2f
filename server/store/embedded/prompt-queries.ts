import Database from 'better-sqlite3'
import type { AiParameters } from '../../../shared/types/image'
import type { NameCount, NumberSummary, PromptHit, PromptSearchPage, PromptStats } from '../../../shared/types/prompt'
import { FullTextQueryError } from '../full-text-query-error'
import type { PromptSearchRequest } from '../store'
import { expandColumnAliases, PROMPT_COLUMNS } from './fts5-columns'

/** How many samplers and models the stats list. */
const TOP = 20

/** bm25 column weights (prompt, negative_prompt): a word the prompt asks for counts twice a word it avoids. */
const SCORE = '-bm25(prompt_fts, 1.0, 0.5)'

interface HitRow {
  id: number
  score: number
  source: AiParameters['source']
  prompt: string
  negative_prompt: string | null
  seed: number | null
  extra: string | null
  steps: number | null
  cfg: number | null
  sampler: string | null
  model: string | null
  folder: string
  path: string
  hash: string
  width: number
  height: number
}

interface SummaryRow {
  ai: number
  with_prompt: number
  with_negative: number
  steps_min: number | null
  steps_max: number | null
  steps_mean: number | null
  cfg_min: number | null
  cfg_max: number | null
  cfg_mean: number | null
}

/** The prompt-search SQL of the embedded store, over the `prompt_fts` index (migrations.ts). */
export interface PromptQueries {
  search(request: PromptSearchRequest): PromptSearchPage
  stats(): PromptStats
}

/**
 * Prepares the prompt-search statements on an open, migrated database.
 *
 * @example
 * const prompts = preparePromptQueries(db)
 * prompts.search({ query: '"long hair" NOT negative: blurry', limit: 20 })
 */
export function preparePromptQueries(db: Database.Database): PromptQueries {
  const count = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM prompt_fts WHERE prompt_fts MATCH ?')
  // Ranked inside the index first, so only one page of rows is joined; the image id breaks ties,
  // which keeps offsets stable.
  const page = db.prepare<[string, number, number], HitRow>(`
    SELECT m.id, m.score, a.source, a.prompt, a.negative_prompt, a.seed, CASE WHEN a.seed IS NULL THEN a.extra END AS extra,
           a.steps, a.cfg, a.sampler, a.model, i.folder, i.path, i.hash, i.width, i.height
    FROM (SELECT rowid AS id, ${SCORE} AS score FROM prompt_fts WHERE prompt_fts MATCH ? ORDER BY score DESC, rowid LIMIT ? OFFSET ?) m
    JOIN ai_parameters a ON a.image_id = m.id
    JOIN images i ON i.id = m.id
    ORDER BY m.score DESC, m.id`)
  const images = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM images')
  const summary = db.prepare<[], SummaryRow>(`
    SELECT count(*) AS ai,
           count(*) FILTER (WHERE trim(prompt) <> '') AS with_prompt,
           count(*) FILTER (WHERE trim(coalesce(negative_prompt, '')) <> '') AS with_negative,
           min(steps) AS steps_min, max(steps) AS steps_max, avg(steps) AS steps_mean,
           min(cfg) AS cfg_min, max(cfg) AS cfg_max, avg(cfg) AS cfg_mean
    FROM ai_parameters`)
  const sources = db.prepare<[], NameCount>('SELECT source AS name, count(*) AS count FROM ai_parameters GROUP BY source ORDER BY count DESC, name')
  const samplers = db.prepare<[number], NameCount>(
    "SELECT sampler AS name, count(*) AS count FROM ai_parameters WHERE sampler IS NOT NULL AND sampler <> '' GROUP BY sampler ORDER BY count DESC, name LIMIT ?")
  const models = db.prepare<[number], NameCount>(
    "SELECT model AS name, count(*) AS count FROM ai_parameters WHERE model IS NOT NULL AND model <> '' GROUP BY model ORDER BY count DESC, name LIMIT ?")

  return {
    search({ query, limit, offset = 0 }) {
      if (!query.trim()) throw new FullTextQueryError('empty query', 'write a word, e.g. masterpiece, or a phrase in double quotes')
      const match = expandColumnAliases(query)
      // The count runs the query alone: any SQLite error from it is about the query text, never the data.
      let total: number
      try {
        total = count.get(match)!.n
      } catch (error) {
        if (error instanceof Database.SqliteError && error.code === 'SQLITE_ERROR') throw describeFts5Error(error.message)
        throw error
      }
      const results = total > offset ? page.all(match, limit, offset).map(toHit) : []
      const next = offset + results.length
      return { total, results, nextOffset: results.length && next < total ? next : null }
    },

    stats() {
      const row = summary.get()!
      return {
        images: images.get()!.n,
        withAiParameters: row.ai,
        withPrompt: row.with_prompt,
        withNegativePrompt: row.with_negative,
        sources: sources.all(),
        samplers: samplers.all(TOP),
        models: models.all(TOP),
        steps: numberSummary(row.steps_min, row.steps_max, row.steps_mean),
        cfg: numberSummary(row.cfg_min, row.cfg_max, row.cfg_mean),
      }
    },
  }
}

function toHit(row: HitRow): PromptHit {
  // Seeds beyond 2^53 are kept as exact digits in extra.seed (workers/ai-metadata/numbers.ts).
  const seed = row.seed ?? (row.extra === null ? undefined : (JSON.parse(row.extra) as Record<string, string>).seed)
  return {
    id: row.id,
    score: row.score,
    source: row.source,
    prompt: row.prompt,
    ...(row.negative_prompt === null ? {} : { negativePrompt: row.negative_prompt }),
    ...(seed === undefined ? {} : { seed }),
    ...(row.steps === null ? {} : { steps: row.steps }),
    ...(row.cfg === null ? {} : { cfg: row.cfg }),
    ...(row.sampler === null ? {} : { sampler: row.sampler }),
    ...(row.model === null ? {} : { model: row.model }),
    folder: row.folder,
    path: row.path,
    hash: row.hash,
    width: row.width,
    height: row.height,
  }
}

function numberSummary(min: number | null, max: number | null, mean: number | null): NumberSummary {
  return min === null || max === null || mean === null ? null : { min, max, mean }
}

const QUOTE_HINT = 'put words with punctuation in double quotes, e.g. "masterpiece:1.2" or "blue-hair"'

/** SQLite's FTS5 message turned into one that names the problem and how to fix it. */
export function describeFts5Error(message: string): FullTextQueryError {
  const near = /^fts5: syntax error near "([\s\S]*)"$/.exec(message)
  if (near) {
    return near[1]
      ? new FullTextQueryError(`syntax error near "${near[1]}"`, near[1] === 'AND' || near[1] === 'OR' || near[1] === 'NOT'
        ? `${near[1]} joins two terms: write one on each side`
        : QUOTE_HINT)
      : new FullTextQueryError('unexpected end: an operator, bracket or NEAR( is missing what follows it', 'finish it, or quote the words, e.g. "AND"')
  }
  const column = /^no such column: ([\s\S]*)$/.exec(message)
  if (column) {
    return new FullTextQueryError(
      `unknown column "${column[1]}": a word before ":" (or after "-") names a column, and the columns are ${PROMPT_COLUMNS.join(' and ')} (or negative)`,
      QUOTE_HINT,
    )
  }
  if (message === 'unterminated string') return new FullTextQueryError('unclosed double quote', 'close it, or write "" for a quote inside a phrase')
  if (message === 'fts5: parser stack overflow') return new FullTextQueryError('brackets nested too deeply')
  const integer = /^expected integer, got "([\s\S]*)"$/.exec(message)
  if (integer) return new FullTextQueryError(`the NEAR distance must be a whole number, got "${integer[1]}"`, 'e.g. NEAR(cat ears, 5)')
  if (message.startsWith('unknown special query')) return new FullTextQueryError('"*" with no word before it', 'put "*" right after a word for a prefix search, e.g. master*')
  return new FullTextQueryError(message.replace(/^fts5: /, ''))
}
