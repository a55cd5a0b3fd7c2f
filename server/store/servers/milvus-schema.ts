import { createHash } from 'node:crypto'
import { DataType, type CreateCollectionReq, type FieldType } from '@zilliz/milvus2-sdk-node'
import { scalarColumns } from './milvus-scalars'

/** HNSW build parameters (Milvus's names), and the search-time `ef` default. */
export interface MilvusIndexSettings {
  M: number
  efConstruction: number
  efSearch: number
}

export const DEFAULT_MILVUS_INDEX: MilvusIndexSettings = { M: 32, efConstruction: 64, efSearch: 64 }

const PREFIX = 'sagasu_'

/**
 * The collection that holds one model's vectors: `sagasu_`, the model name reduced to Milvus's
 * allowed characters (letters, digits, `_`), and a hash of the exact name so that two names that
 * reduce alike (`ViT-B/32`, `vit_b_32`) get different collections.
 *
 * @example
 * collectionNameFor('ViT-B/32') // 'sagasu_vit_b_32_3c9d52a1e0'
 */
export function collectionNameFor(model: string): string {
  const slug = model.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 48)
  const hash = createHash('sha256').update(model).digest('hex').slice(0, 10)
  return `${PREFIX}${slug ? `${slug}_` : ''}${hash}`
}

/** Whether a collection name is one of Sagasu's (other applications may share the database). */
export function isSagasuCollection(name: string): boolean {
  return name.startsWith(PREFIX)
}

/** The description a collection carries: the exact model name, read back by `modelOfDescription`. */
export function collectionDescription(model: string): string {
  return JSON.stringify({ sagasuModel: model })
}

export function modelOfDescription(description: string): string | undefined {
  try {
    const parsed = JSON.parse(description) as unknown
    if (parsed && typeof parsed === 'object' && typeof (parsed as { sagasuModel?: unknown }).sagasuModel === 'string') {
      return (parsed as { sagasuModel: string }).sagasuModel
    }
  } catch {
    // not one of ours
  }
  return undefined
}

/** Milvus's longest VarChar: folder names and user ids are never cut, so equality stays exact. */
const MAX_VARCHAR = 65_535

/**
 * id (Int64 primary key, set by Sagasu), the vector, and the scalar fields filtered search reads.
 * Strong consistency by default, so a query (get, count) sees every write acknowledged before it, as
 * the embedded store does; a vector search picks its level per call (searchConsistency).
 */
export function collectionRequest(model: string, dims: number): CreateCollectionReq {
  const fields: FieldType[] = [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'vector', data_type: DataType.FloatVector, dim: dims },
  ]
  for (const { name, kind } of scalarColumns()) {
    if (kind === 'string') fields.push({ name, data_type: DataType.VarChar, max_length: MAX_VARCHAR })
    else if (kind === 'int') fields.push({ name, data_type: DataType.Int64 })
    else fields.push({ name, data_type: DataType.Bool })
  }
  return {
    collection_name: collectionNameFor(model),
    description: collectionDescription(model),
    consistency_level: 'Strong',
    fields,
  }
}

/** HNSW over inner product: vectors are L2-normalised, so the score is their cosine. */
export function hnswIndexParams(settings: MilvusIndexSettings): { index_type: string; metric_type: string; params: { M: number; efConstruction: number } } {
  return { index_type: 'HNSW', metric_type: 'IP', params: { M: settings.M, efConstruction: settings.efConstruction } }
}
