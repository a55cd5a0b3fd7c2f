import type { TextTarget } from '../../query/ast'
import type { FullTextDocument } from './backends'
import { termGrams, textGrams } from './meili-grams'

/**
 * What Sagasu sends to and reads from Meilisearch, as plain data: the index settings, documents,
 * search parameters and hits. Kept apart from the client so the shapes are tested on their own.
 */

/** Meilisearch's own default cap is 1,000 hits; Sagasu's full-text clauses need every match. */
export const DEFAULT_MAX_TOTAL_HITS = 1_000_000

/** The document attribute holding each full-text target's grams (meili-grams.ts). */
export const MEILI_ATTRIBUTE: Record<TextTarget, string> = {
  ocr: 'ocr',
  prompt: 'prompt',
  negative: 'negative',
  tags1: 'tags1',
}

const TARGETS = Object.keys(MEILI_ATTRIBUTE) as TextTarget[]

/** One image: the gram words of each text it has, and the targets whose grams were cut short. */
export interface MeiliDocument {
  id: number
  ocr?: string
  prompt?: string
  negative?: string
  tags1?: string
  /** Targets with more distinct grams than Meilisearch indexes: always candidates for them. */
  partial?: TextTarget[]
}

/**
 * Index settings: the four gram attributes searchable (each clause searches one of them), `id`
 * and `partial` filterable, no typo tolerance (a gram is matched exactly or not at all),
 * proximity by attribute only (gram positions mean nothing, and word-pair proximity would bloat
 * the index), relevance-only ranking (the store sorts), and `maxTotalHits` raised so a search
 * returns every match rather than the first 1,000.
 */
export function meiliIndexSettings(maxTotalHits = DEFAULT_MAX_TOTAL_HITS) {
  return {
    searchableAttributes: TARGETS.map((target) => MEILI_ATTRIBUTE[target]),
    filterableAttributes: ['id', 'partial'],
    rankingRules: ['words', 'attribute', 'exactness'],
    typoTolerance: { enabled: false },
    proximityPrecision: 'byAttribute' as const,
    pagination: { maxTotalHits },
  }
}

/** Each text as its gram words; absent and empty texts are left out rather than sent as null or "". */
export function toMeiliDocument(document: FullTextDocument): MeiliDocument {
  const out: MeiliDocument = { id: document.id }
  const texts: Record<TextTarget, string[]> = {
    ocr: document.ocr ? [document.ocr] : [],
    prompt: document.prompt ? [document.prompt] : [],
    negative: document.negative ? [document.negative] : [],
    tags1: document.tags1.filter((tag) => tag.length > 0),
  }
  const partial: TextTarget[] = []
  for (const target of TARGETS) {
    if (!texts[target].length) continue
    const { words, complete } = textGrams(texts[target])
    out[target] = words
    if (!complete) partial.push(target)
  }
  if (partial.length) out.partial = partial
  return out
}

/** The query text of one term: its gram words, every one required. */
export function meiliQuery(term: string): string {
  return termGrams(term).join(' ')
}

/**
 * Search parameters for one term: only the target's attribute, every word required
 * (`matchingStrategy: all`), ids and ranking scores only.
 */
export function meiliSearchParams(target: TextTarget, limit = DEFAULT_MAX_TOTAL_HITS) {
  return {
    attributesToSearchOn: [MEILI_ATTRIBUTE[target]],
    attributesToRetrieve: ['id'],
    matchingStrategy: 'all' as const,
    showRankingScore: true,
    limit,
  }
}

/** Search parameters for the images whose `target` grams were cut short (an empty query, filtered). */
export function meiliPartialParams(target: TextTarget, limit = DEFAULT_MAX_TOTAL_HITS) {
  return {
    filter: `partial = ${target}`,
    attributesToRetrieve: ['id'],
    showRankingScore: true,
    limit,
  }
}

/** Hits → candidates, best first; a hit without an integer id or a score is an error in the answer. */
export function candidatesFromHits(hits: ReadonlyArray<Record<string, unknown>>): Array<{ id: number; score: number }> {
  return hits.map((hit) => {
    const { id, _rankingScore: score } = hit
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || typeof score !== 'number') {
      throw new Error(`Meilisearch returned a hit without an integer id and a _rankingScore: ${JSON.stringify(hit).slice(0, 200)}`)
    }
    return { id, score }
  })
}
