import type { SearchPage, SearchResult } from '../../shared/types/api'
import type { ImageRecord } from '../../shared/types/image'
import type { AndNode, Comparison, RankClause, SortKey } from '../query/ast'
import type { Store } from '../store/store'
import { fullTextMatches, fullTextQuery, fullTextScore, fullTextTerms } from './full-text-hits'
import { QueryError } from './query-error'

/** How deep similarity results can be paged: the top this many of the matching images. */
export const MAX_SIMILAR = 2000

/** Turns text and images into CLIP vectors (L2-normalised), for one model. */
export interface ClipEncoder {
  /** The model's key; embeddings are stored under it. */
  readonly model: string
  embedText(text: string): Promise<Float32Array>
  embedImage(bytes: Buffer): Promise<Float32Array>
}

/** What a search ranks by, gathered from the query's ranking clauses and the request's text and image. */
export interface Similarity {
  text?: string
  image?: Buffer
  similarTo?: number
  /** `sim;…`: every result's similarity must satisfy these. */
  threshold: Comparison[]
}

/** `search.weights` in the config. */
export interface SimilarityWeights {
  /** Of the text's CLIP similarity when an image is given too. */
  text: number
  /** Of the image's (or `similar:` image's) CLIP similarity when a text is given too. */
  image: number
  /** Added per full share of the text's words found in an image's OCR text, AI prompt or tags1 (0: CLIP alone). */
  fullText: number
}

/** The similarity a search asks for, or undefined for a plain filtered search. */
export function similarityOf(query: AndNode, extra: { text?: string; image?: Buffer }): Similarity | undefined {
  const rank = query.rank ?? []
  const clause = <K extends RankClause['kind']>(kind: K) => rank.find((r): r is Extract<RankClause, { kind: K }> => r.kind === kind)
  const clipText = clause('clip')?.text
  if (clipText !== undefined && extra.text !== undefined) {
    throw new QueryError({ message: 'both a clip: clause and a text parameter', position: clause('clip')!.span.start, hint: 'give the text once' })
  }
  const text = clipText ?? extra.text
  const similarTo = clause('similar')?.id
  const threshold = clause('sim')?.comparisons ?? []
  if (text === undefined && extra.image === undefined && similarTo === undefined) {
    if (threshold.length) throw new QueryError({ message: 'sim; needs something to be similar to', position: clause('sim')!.span.start, hint: 'add clip:"words", similar:ID, or an image' })
    return undefined
  }
  return { ...(text !== undefined ? { text } : {}), ...(extra.image ? { image: extra.image } : {}), ...(similarTo !== undefined ? { similarTo } : {}), threshold }
}

/**
 * The query vector: the weighted sum of the text's, the image's and the similar image's vectors,
 * normalised. Scores are inner products, so ranking by this one vector is ranking by the weighted
 * sum of the separate similarities — text and image fuse instead of intersecting.
 */
export async function queryVector(store: Store, encoder: ClipEncoder, similarity: Similarity, weights: SimilarityWeights): Promise<Float32Array> {
  const parts: Array<{ vector: Float32Array; weight: number }> = []
  if (similarity.text !== undefined) parts.push({ vector: await encoder.embedText(similarity.text), weight: weights.text })
  if (similarity.image) parts.push({ vector: await encoder.embedImage(similarity.image), weight: weights.image })
  if (similarity.similarTo !== undefined) {
    const stored = await store.getEmbedding(similarity.similarTo, encoder.model)
    if (!stored) {
      const image = await store.getImage(similarity.similarTo)
      throw new QueryError({
        message: image ? `image ${similarity.similarTo} has no CLIP embedding yet` : `no image with id ${similarity.similarTo}`,
        position: 0,
        hint: image ? 'wait for the model stages (GET /api/jobs), or search by text' : 'use the id of an image in the results',
      })
    }
    parts.push({ vector: stored, weight: weights.image })
  }
  const sum = new Float32Array(parts[0]!.vector.length)
  for (const { vector, weight } of parts) for (let k = 0; k < sum.length; k++) sum[k]! += weight * vector[k]!
  let norm = 0
  for (const value of sum) norm += value * value
  norm = Math.sqrt(norm) || 1
  for (let k = 0; k < sum.length; k++) sum[k]! /= norm
  return sum
}

/**
 * One page of a similarity search: the top matches of the filter by similarity (best first), or,
 * with a sort, the top `MAX_SIMILAR` by similarity ordered by that sort.
 *
 * A text query also looks its words up in full text (OCR, AI prompt, tags1): those hits join the
 * CLIP hits, and every result ranks by `clip + weights.fullText × text`, where `text` is the share
 * of the words the image contains. Results carry `score` (that sum) and `scores` (its parts).
 */
export async function similarityPage(
  store: Store,
  encoder: ClipEncoder,
  request: { query: AndNode; sort?: SortKey[]; similarity: Similarity; weights: SimilarityWeights; limit: number; offset: number },
): Promise<{ page: SearchPage; offset: number }> {
  const { query, similarity, limit, offset } = request
  const vector = await queryVector(store, encoder, similarity, request.weights)
  const sorted = Boolean(request.sort?.length)
  const want = sorted || similarity.threshold.length ? MAX_SIMILAR : Math.min(MAX_SIMILAR, offset + limit + 1)
  const floor = lowerBound(similarity.threshold)
  const filter: AndNode = { ...query, rank: undefined }
  const clip = new Map((await store.nearest({ model: encoder.model, vector, k: want, query: filter, ...(floor !== undefined ? { minScore: floor } : {}) }))
    .map((hit) => [hit.id, hit.score]))
  const text = new Map<number, number>()
  const terms = similarity.text !== undefined && request.weights.fullText > 0 ? fullTextTerms(similarity.text) : []
  const textQuery = fullTextQuery(filter, terms)
  for (const image of await fullTextMatches(store, textQuery, MAX_SIMILAR)) text.set(image.id, fullTextScore(image, terms))
  if (textQuery && [...text.keys()].some((id) => !clip.has(id))) {
    // The CLIP similarity of the text hits the first search did not return: one search among them, not one read per image.
    for (const hit of await store.nearest({ model: encoder.model, vector, k: MAX_SIMILAR, query: textQuery })) {
      if (text.has(hit.id) && !clip.has(hit.id)) clip.set(hit.id, hit.score)
    }
  }
  const scoreOf = (id: number) => (clip.get(id) ?? 0) + request.weights.fullText * (text.get(id) ?? 0)
  // `sim;` bounds the CLIP similarity; an image without an embedding has none to bound.
  const passes = (id: number) => !similarity.threshold.length || (clip.has(id) && similarity.threshold.every((comparison) => holds(clip.get(id)!, comparison)))
  let ids = [...new Set([...clip.keys(), ...text.keys()])].filter(passes)
    .sort((a, b) => scoreOf(b) - scoreOf(a) || b - a)
    .slice(0, MAX_SIMILAR)
  let records: ImageRecord[] | undefined
  if (sorted) {
    records = (await Promise.all(ids.map((id) => store.getImage(id)))).filter((image): image is ImageRecord => image !== undefined)
    records.sort(compareBy(request.sort!))
    ids = records.map((image) => image.id)
  }
  const total = sorted || similarity.threshold.length ? ids.length : Math.min(MAX_SIMILAR, await store.count({ ...query, rank: undefined }))
  const pageIds = ids.slice(offset, offset + limit)
  const byId = new Map((records ?? (await Promise.all(pageIds.map((id) => store.getImage(id)))).filter((image): image is ImageRecord => image !== undefined)).map((image) => [image.id, image]))
  const results: SearchResult[] = pageIds.flatMap((id) => {
    const image = byId.get(id)
    if (!image) return []
    const scores = { ...(clip.has(id) ? { clip: clip.get(id)! } : {}), ...(text.has(id) ? { text: text.get(id)! } : {}) }
    return [{ ...image, score: scoreOf(id), scores }]
  })
  const more = offset + limit < Math.min(total, ids.length >= want ? MAX_SIMILAR : ids.length)
  return { page: { total, results, nextCursor: null }, offset: more ? offset + limit : -1 }
}

/** The least score every result must reach, from `sim;>x` / `sim;>=x` (the store can stop there). */
function lowerBound(comparisons: Comparison[]): number | undefined {
  const bounds = comparisons.filter(({ op }) => op === '>' || op === '>=').map(({ value }) => (value.kind === 'number' ? value.value : -1))
  return bounds.length ? Math.max(...bounds) : undefined
}

function holds(score: number, { op, value }: Comparison): boolean {
  const bound = value.kind === 'number' ? value.value : Number.NaN
  switch (op) {
    case '<': return score < bound
    case '<=': return score <= bound
    case '>': return score > bound
    case '>=': return score >= bound
    case '=': return score === bound
    case '!=': return score !== bound
  }
}

/** Orders image records as the SQL sort does: missing values first ascending, last descending; id descending breaks ties. */
function compareBy(keys: SortKey[]): (a: ImageRecord, b: ImageRecord) => number {
  const fieldOf = (image: ImageRecord, field: string): unknown => {
    if (field === 'added') return image.addedAt
    if (['seed', 'steps', 'cfg', 'sampler', 'model'].includes(field)) return (image.ai as Record<string, unknown> | undefined)?.[field]
    return (image as unknown as Record<string, unknown>)[field]
  }
  return (a, b) => {
    for (const { field, direction } of keys) {
      const [x, y] = [fieldOf(a, field), fieldOf(b, field)]
      if (x === y) continue
      if (x === undefined || x === null) return -direction
      if (y === undefined || y === null) return direction
      if (typeof x === 'string' && typeof y === 'string') return (x < y ? -1 : 1) * direction
      return (Number(x) < Number(y) ? -1 : 1) * direction
    }
    return b.id - a.id
  }
}
