import type { AiMetadataRead } from '../ai-metadata/ai-metadata-read'
import { readAiMetadataReport } from '../ai-metadata/read-ai-metadata'

/**
 * AI-generation parameters of one image (every generator workers/ai-metadata reads) and the
 * warnings met while reading them. Metadata is optional: unreadable metadata means none, never a
 * failed file.
 */
export async function readAiParameters(buffer: Buffer, format: string): Promise<AiMetadataRead> {
  try {
    return readAiMetadataReport(buffer, format)
  } catch {
    return { warnings: [] }
  }
}
