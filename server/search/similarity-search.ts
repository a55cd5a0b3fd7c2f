import type { SearchPage, SearchResult } from '../../shared/types/api'
import type { ImageRecord } from '../../shared/types/image'
import type { AndNode, Comparison, RankClause, SortKey } from '../query/ast'
import type { Store } from '../store/store'
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

/** Weights of the text and the image query when both are given (`search.weights` in the config). */
export interface SimilarityWeights {
  text: number
  image: number
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
 * with a sort, the top `MAX_SIMILAR` by similarity ordered by that sort. Results carry `score`.
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
  const hits = (await store.nearest({ model: encoder.model, vector, k: want, query: { ...query, rank: undefined }, ...(floor !== undefined ? { minScore: floor } : {}) }))
    .filter((hit) => similarity.threshold.every((comparison) => holds(hit.score, comparison)))
  const scored = new Map(hits.map((hit) => [hit.id, hit.score]))
  let ids = hits.map((hit) => hit.id)
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
    return image ? [{ ...image, score: scored.get(id)! }] : []
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
