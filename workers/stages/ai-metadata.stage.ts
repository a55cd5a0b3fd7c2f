import type { AiParameters } from '../../shared/types/image'
import { readAiMetadata } from '../ai-metadata/read-ai-metadata'

/**
 * AI-generation parameters (A1111/Forge, ComfyUI, NovelAI) from PNG text chunks or EXIF
 * UserComment. Metadata is optional: unreadable metadata means none, never a failed file.
 */
export function readAiParameters(buffer: Buffer, format: string): AiParameters | undefined {
  try {
    return readAiMetadata(buffer, format)
  } catch {
    return undefined
  }
}
