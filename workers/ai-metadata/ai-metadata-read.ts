import type { AiParameters, AiSource } from '../../shared/types/image'

/**
 * Metadata was found but one of its fields could not be resolved (a ComfyUI prompt behind a node
 * the reader does not know, a cut JSON document): the image keeps what could be read, and the
 * import records this as a warning naming the generator and the field (`sagasu errors`).
 */
export interface AiMetadataWarning {
  generator: AiSource
  /** The AiParameters field, or `metadata` for the document as a whole. */
  field: keyof AiParameters | 'size' | 'scheduler' | 'metadata'
  /** What went wrong, in words, e.g. "the prompt's node 12 (ConditioningCombine) cannot be followed". */
  reason: string
}

/** What one file's metadata gave: the parameters, if any, and the warnings found on the way. */
export interface AiMetadataRead {
  parameters?: AiParameters
  warnings: AiMetadataWarning[]
}
