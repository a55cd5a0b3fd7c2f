import type { TextTarget } from '../../query/ast'
import type { FullTextDocument } from './backends'

/**
 * What Sagasu sends to and reads from Meilisearch, as plain data: the index settings, documents,
 * search parameters and hits. Kept apart from the client so the shapes are tested on their own.
 */

/** Meilisearch's own default cap is 1,000 hits; Sagasu's full-text clauses need every match. */
export const DEFAULT_MAX_TOTAL_HITS = 1_000_000

/** The document attribute each full-text target searches. */
export const MEILI_ATTRIBUTE: Record<TextTarget, string> = {
  ocr: 'ocr',
  prompt: 'prompt',
  negative: 'negative',
  tags1: 'tags1',
}

export interface MeiliDocument {
  id: number
  ocr?: string
  prompt?: string
  negative?: string
  tags1: string[]
}

/**
 * Index settings: the four text attributes searchable (each clause searches one of them), `id`
 * filterable, relevance-only ranking (no sort rule: the store sorts), and `maxTotalHits` raised so
 * a search returns every match rather than the first 1,000.
 */
export function meiliIndexSettings(maxTotalHits = DEFAULT_MAX_TOTAL_HITS) {
  return {
    searchableAttributes: ['ocr', 'prompt', 'negative', 'tags1'],
    filterableAttributes: ['id'],
    rankingRules: ['words', 'typo', 'proximity', 'attribute', 'exactness'],
    pagination: { maxTotalHits },
  }
}

/** Absent texts are left out rather than sent as null or "". */
export function toMeiliDocument(document: FullTextDocument): MeiliDocument {
  const out: MeiliDocument = { id: document.id, tags1: [...document.tags1] }
  if (document.ocr) out.ocr = document.ocr
  if (document.prompt) out.prompt = document.prompt
  if (document.negative) out.negative = document.negative
  return out
}

/**
 * Search parameters for one clause: only the target's attribute, every word required
 * (`matchingStrategy: all`, as the DSL requires every term), ids and ranking scores only.
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
