import type { AiSource } from '../../shared/types/image'
import type { AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { capUtf8 } from './cap-text'
import { assignSampling } from './numbers'

/** What a JSON-shaped reader found, before it becomes AiParameters. */
export interface JsonReading {
  prompt?: string | undefined
  negative?: string | undefined
  seed?: unknown
  steps?: unknown
  cfg?: unknown
  sampler?: string | undefined
  scheduler?: string | undefined
  model?: string | undefined
  size?: string | undefined
  extra?: Record<string, string>
}

/**
 * AiParameters from a reading. A document that names no prompt still gives its settings, with a
 * warning on `prompt` so that the empty prompt is never taken for the real one.
 */
export function toParameters(
  source: AiSource,
  reading: JsonReading,
  raw: string,
  warnings: AiMetadataWarning[],
): AiParameters {
  if (reading.prompt === undefined) {
    warnings.push({ generator: source, field: 'prompt', reason: `the ${source} metadata names no prompt` })
  }
  const result: AiParameters = { source, prompt: reading.prompt ?? '', raw: capUtf8(raw) }
  if (reading.negative !== undefined && reading.negative.trim().length > 0) result.negativePrompt = reading.negative
  const extra: Record<string, string> = { ...reading.extra }
  assignSampling(result, extra, { seed: reading.seed, steps: reading.steps, cfg: reading.cfg })
  if (reading.sampler !== undefined && reading.sampler.trim().length > 0) result.sampler = reading.sampler
  if (reading.model !== undefined && reading.model.trim().length > 0) result.model = reading.model
  if (reading.scheduler !== undefined && reading.scheduler.trim().length > 0) extra.scheduler = reading.scheduler
  if (reading.size !== undefined) extra.size = reading.size
  if (Object.keys(extra).length > 0) result.extra = extra
  return result
}
