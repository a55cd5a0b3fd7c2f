import type { AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { parseComfyUi } from './comfyui'

// The ComfyUI resolver lives in comfyui.ts (its own helper keeps that entry point); the readers of
// other generators call it through here. Typed with the warnings parameter every reader takes, so
// that its warnings reach the report once parseComfyUi accepts them (a function of fewer
// parameters is assignable to this type, and the extra argument is ignored until then).
type ComfyParser = (
  texts: { prompt?: string | undefined; workflow?: string | undefined },
  warnings?: AiMetadataWarning[],
) => AiParameters | undefined

const parseGraph: ComfyParser = parseComfyUi

/** What a ComfyUI graph gave, with the warnings its resolver raised. */
export interface GraphReading {
  parameters?: AiParameters
  warnings: AiMetadataWarning[]
}

export function readComfyGraph(texts: { prompt?: string | undefined; workflow?: string | undefined }): GraphReading {
  const warnings: AiMetadataWarning[] = []
  if (texts.prompt === undefined && texts.workflow === undefined) return { warnings }
  const parameters = parseGraph(texts, warnings)
  if (!parameters) {
    // Metadata is there under ComfyUI's names but gave nothing: say so rather than stay silent.
    if (warnings.length === 0) {
      const which = texts.prompt !== undefined ? 'prompt' : 'workflow'
      warnings.push({ generator: 'comfyui', field: 'metadata', reason: `the ${which} text is there but holds no ComfyUI graph that can be read (cut, damaged or of another shape)` })
    }
    return { warnings }
  }
  // A graph read without a prompt and without a word from the resolver would store a silently empty
  // prompt: say so.
  if (parameters.prompt.trim().length === 0 && !warnings.some((w) => w.field === 'prompt')) {
    warnings.push({ generator: 'comfyui', field: 'prompt', reason: 'no prompt text was found behind the sampler' })
  }
  return { parameters, warnings }
}

/**
 * Whether a graph resolved: a prompt was found and the resolver raised no doubt about it. Only
 * then does a graph beat other text in the same file (Comfy Image Saver's `parameters` says
 * "unknown" where its graph holds the real prompt).
 */
export function graphResolves(reading: GraphReading): reading is GraphReading & { parameters: AiParameters } {
  const p = reading.parameters
  return p !== undefined && p.prompt.trim().length > 0 && !reading.warnings.some((w) => w.field === 'prompt')
}
