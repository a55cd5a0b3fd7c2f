import type { ImageRecord } from '../../../shared/types/image'
import type { VectorScalars } from './backends'

/**
 * The image fields kept beside each vector in Milvus, so that the filters users combine with a
 * similarity search most often run inside Milvus's search. Chosen to be cheap to keep in sync: all
 * are set at import and never change afterwards (pixiv metadata, tags and OCR text do change, and
 * stay in MongoDB, reached through an id pre-filter). Milvus 2.3 has no null, so each optional
 * field has a `has_<name>` flag and a placeholder value that no comparison looks at without it.
 */
export const VECTOR_SCALAR_FIELDS = {
  type: { kind: 'string' },
  folder: { kind: 'string' },
  format: { kind: 'string' },
  width: { kind: 'int' },
  height: { kind: 'int' },
  animated: { kind: 'bool' },
  /** Epoch ms (the query field `added`). */
  added: { kind: 'int' },
  userid: { kind: 'string', optional: true },
  /** Epoch ms. */
  date: { kind: 'int', optional: true },
  /** Whether the image has AI parameters (the query's bare `prompt`). */
  ai: { kind: 'bool' },
} as const satisfies Record<string, { kind: 'string' | 'int' | 'bool'; optional?: boolean }>

export type VectorScalarField = keyof typeof VECTOR_SCALAR_FIELDS

/** The flag that tells whether an optional field has a value. */
export function presenceField(field: VectorScalarField): string {
  return `has_${field}`
}

export function isOptionalScalar(field: VectorScalarField): boolean {
  return 'optional' in VECTOR_SCALAR_FIELDS[field]
}

/**
 * The scalars Milvus keeps for an image (see VECTOR_SCALAR_FIELDS).
 *
 * @example
 * vectorScalarsFor(image) // { type: 'pixiv', folder: 'art', …, userid: '', has_userid: false, date: 0, has_date: false, ai: true }
 */
export function vectorScalarsFor(image: ImageRecord): VectorScalars {
  const userid = image.userid ?? undefined
  const date = image.date ?? undefined
  return {
    type: image.type,
    folder: image.folder,
    format: image.format,
    width: image.width,
    height: image.height,
    animated: image.animated,
    added: image.addedAt,
    userid: userid ?? '',
    has_userid: userid !== undefined,
    date: date ?? 0,
    has_date: date !== undefined,
    ai: image.ai !== undefined && image.ai !== null,
  }
}

/** Every scalar column name, presence flags included, in schema order. */
export function scalarColumns(): Array<{ name: string; kind: 'string' | 'int' | 'bool' }> {
  const columns: Array<{ name: string; kind: 'string' | 'int' | 'bool' }> = []
  for (const [name, spec] of Object.entries(VECTOR_SCALAR_FIELDS)) {
    columns.push({ name, kind: spec.kind })
    if ('optional' in spec) columns.push({ name: presenceField(name as VectorScalarField), kind: 'bool' })
  }
  return columns
}
