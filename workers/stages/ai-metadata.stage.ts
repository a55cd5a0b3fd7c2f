import type { AiParameters } from '../../shared/types/image'
import type { AiMetadataRead, AiMetadataWarning } from '../ai-metadata/ai-metadata-read'
import { capUtf8 } from '../ai-metadata/cap-text'
import { readAiMetadataReport } from '../ai-metadata/read-ai-metadata'
import { readStealthParameters } from '../ai-metadata/stealth/stealth-parameters'

/**
 * AI-generation parameters of one image (every generator workers/ai-metadata reads) and the
 * warnings met while reading them. Metadata is optional: unreadable metadata means none, never a
 * failed file. The pixels' stealth copy (A1111 stealth_pnginfo, NovelAI) is read only when no
 * container text gave parameters: it needs a decode, and it is what re-saving strips text from.
 */
export async function readAiParameters(buffer: Buffer, format: string): Promise<AiMetadataRead> {
  return capPrompts(await readAnywhere(buffer, format))
}

async function readAnywhere(buffer: Buffer, format: string): Promise<AiMetadataRead> {
  // Never throws: it guards its own readers.
  const containers = readAiMetadataReport(buffer, format)
  if (containers.parameters) return containers
  try {
    const stealth = await readStealthParameters(buffer)
    const warnings = [...containers.warnings, ...stealth.warnings]
    return stealth.parameters ? { parameters: stealth.parameters, warnings } : { warnings }
  } catch {
    return containers
  }
}

/**
 * Upper bound for a stored prompt or negative prompt. Real prompts are a few KiB; a 16 MB text
 * kept as a prompt (free text without a settings line) would weigh on the full-text index and on
 * every search result that carries it.
 */
export const PROMPT_CAP_BYTES = 64 * 1024

function capPrompts(read: AiMetadataRead): AiMetadataRead {
  const parameters = read.parameters
  if (!parameters) return read
  const warnings: AiMetadataWarning[] = [...read.warnings]
  const capped: AiParameters = { ...parameters }
  let changed = false
  for (const field of ['prompt', 'negativePrompt'] as const) {
    const text = parameters[field]
    if (text === undefined) continue
    const kept = capUtf8(text, PROMPT_CAP_BYTES)
    if (kept === text) continue
    capped[field] = kept
    changed = true
    const bytes = Buffer.byteLength(text)
    warnings.push({ generator: parameters.source, field, reason: `the ${field === 'prompt' ? 'prompt' : 'negative prompt'} is ${bytes.toLocaleString('en')} bytes; its first ${PROMPT_CAP_BYTES / 1024} KiB are kept` })
  }
  return changed ? { parameters: capped, warnings } : read
}
