import type { AiMetadataWarning } from '../ai-metadata/ai-metadata-read'

/** The error-record stage of a file's AI-metadata warnings (all of them in one record: `sagasu errors`). */
export const AI_METADATA_STAGE = 'ai-metadata'

/** Warnings kept per file, and characters per warning: a hostile graph cannot fill the errors table. */
const MAX_WARNINGS = 8
const MAX_REASON = 300

/**
 * One error record's reason for all the warnings of a file, each naming the generator and the
 * field: `comfyui prompt: node 12 (Switch) cannot be followed; comfyui size: …`. Undefined when
 * there is none.
 */
export function describeAiWarnings(warnings: readonly AiMetadataWarning[]): string | undefined {
  const lines = [...new Set(warnings.map((warning) => `${warning.generator} ${warning.field}: ${clip(warning.reason)}`))]
  if (!lines.length) return undefined
  const more = lines.length > MAX_WARNINGS ? `; and ${lines.length - MAX_WARNINGS} more` : ''
  return lines.slice(0, MAX_WARNINGS).join('; ') + more
}

function clip(reason: string): string {
  const flat = reason.replace(/\s+/g, ' ').trim()
  return flat.length > MAX_REASON ? `${flat.slice(0, MAX_REASON - 1)}…` : flat
}
