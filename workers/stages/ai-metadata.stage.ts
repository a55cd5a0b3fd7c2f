import type { AiMetadataRead } from '../ai-metadata/ai-metadata-read'
import { readAiMetadataReport } from '../ai-metadata/read-ai-metadata'
import { readStealthParameters } from '../ai-metadata/stealth/stealth-parameters'

function readContainers(buffer: Buffer, format: string): AiMetadataRead {
  try {
    return readAiMetadataReport(buffer, format)
  } catch {
    return { warnings: [] }
  }
}

/**
 * AI-generation parameters of one image (every generator workers/ai-metadata reads) and the
 * warnings met while reading them. Metadata is optional: unreadable metadata means none, never a
 * failed file. The pixels' stealth copy (A1111 stealth_pnginfo, NovelAI) is read only when no
 * container text gave parameters: it needs a decode, and it is what re-saving strips text from.
 */
export async function readAiParameters(buffer: Buffer, format: string): Promise<AiMetadataRead> {
  const containers = readContainers(buffer, format)
  if (containers.parameters) return containers
  try {
    const stealth = await readStealthParameters(buffer)
    const warnings = [...containers.warnings, ...stealth.warnings]
    return stealth.parameters ? { parameters: stealth.parameters, warnings } : { warnings }
  } catch {
    return containers
  }
}
