import type { AndNode, TextTarget } from '../../query/ast'
import type { VectorIndexStats } from '../store'

/**
 * The servers profile's two search backends beside MongoDB, as the servers store uses them.
 * MongoDB holds every image and is the source of truth for everything but the vectors;
 * Milvus holds the vectors (one collection per model); Meilisearch, when configured, answers
 * the full-text clauses faster than a MongoDB regex scan.
 */

/** Which images a vector search may return. */
export type VectorFilter =
  /** Milvus boolean expression over the collection's scalar fields (see milvusFilterFor). */
  | { kind: 'expr'; expr: string }
  /** Exactly these image ids (the matches of a query Milvus cannot express, when they are few). */
  | { kind: 'ids'; ids: number[] }

export interface VectorSearchRequest {
  model: string
  /** L2-normalised, the model's dimension. */
  vector: Float32Array
  k: number
  minScore?: number
  filter?: VectorFilter
  /** HNSW `ef` for this search (≥ k); the backend's configured default when absent. */
  ef?: number
}

/**
 * Scalar fields stored beside each vector so that common filters run inside Milvus. Derived
 * from the image record by `vectorScalarsFor`; refreshed when the image's fields change.
 */
export type VectorScalars = Record<string, string | number | boolean>

export interface VectorRow {
  id: number
  vector: Float32Array
  scalars: VectorScalars
}

export interface ServerVectorIndex {
  /** Connects, and loads and searches every model's collection once, so the first real search is not the slow one. */
  warmUp(): Promise<void>
  /** Creates the model's collection (with its index) when missing; loads it. Throws for a dimension that differs from the collection's. */
  ensureModel(model: string, dims: number): Promise<void>
  /** Inserts or replaces rows (idempotent: a retried batch leaves one row per id). */
  upsert(model: string, rows: VectorRow[]): Promise<void>
  get(model: string, id: number): Promise<Float32Array | undefined>
  /** Replaces the scalars of an image's rows in every model (its vectors stay). */
  refreshScalars(id: number, scalars: VectorScalars): Promise<void>
  /** Deletes the images' rows from every model's collection. */
  remove(ids: number[]): Promise<void>
  /** Best first, inner product (= cosine on unit vectors). A model without a collection gives []. */
  search(request: VectorSearchRequest): Promise<Array<{ id: number; score: number }>>
  /** Models that have a collection. */
  models(): Promise<string[]>
  stats(): Promise<VectorIndexStats[]>
  /** Drops and re-creates the model's HNSW index over its rows (every model when absent). */
  rebuild(model?: string): Promise<VectorIndexStats[]>
  close(): Promise<void>
}

/** The text a full-text backend holds for one image. */
export interface FullTextDocument {
  id: number
  ocr?: string
  prompt?: string
  negative?: string
  tags1: string[]
}

export interface ServerFullText {
  readonly name: string
  upsert(documents: FullTextDocument[]): Promise<void>
  remove(ids: number[]): Promise<void>
  /**
   * Ids of the images whose `target` text contains `text` as the DSL defines it (case-insensitive
   * substring, docs/query-semantics.md), with a relevance score (higher is better). The backend
   * may over-match (token search), never under-match: the store confirms candidates in MongoDB.
   */
  candidates(target: TextTarget, text: string): Promise<Array<{ id: number; score: number }>>
  close(): Promise<void>
}

/** A part of a query the vector backend can run as a filter, or undefined when only an id list can express it. */
export type MilvusFilterCompiler = (query: AndNode) => string | undefined
