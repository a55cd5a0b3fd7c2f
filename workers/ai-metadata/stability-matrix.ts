import type { AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { objectField, sizeText, stringField, textField, valueField, type JsonObject } from './json-fields'
import { toParameters } from './json-result'
import { isJsonObject, parseJsonLossless } from './lossless-json'

// Stability Matrix's Inference tab writes, besides A1111-style `parameters` text (whose sampler
// merges sampler and scheduler: "Euler Ancestral Karras") and the ComfyUI `prompt` graph it ran:
//   `parameters-json`: {PositivePrompt, NegativePrompt, Steps, Sampler, CfgScale, Seed, Width,
//       Height, ModelName, ModelHash, …} — Width/Height are the output size (after a hires pass)
//   `smproj`: the project, whose State.Sampler holds the primary sampler's SelectedSampler.Name,
//       SelectedScheduler.Name and the generation Width/Height.
// Shapes as in enslo/sd-metadata samples/png/stability-matrix*.png.

export interface StabilityMatrixTexts {
  'parameters-json'?: string | undefined
  smproj?: string | undefined
}

export function hasStabilityMatrix(texts: StabilityMatrixTexts): boolean {
  return texts['parameters-json'] !== undefined
}

function parseObject(text: string | undefined): JsonObject | undefined {
  if (text === undefined) return undefined
  const doc = parseJsonLossless(text)
  return isJsonObject(doc) ? doc : undefined
}

function selectedName(sampler: JsonObject | undefined, key: string): string | undefined {
  const selected = sampler && objectField(sampler, key)
  return selected && textField(selected, 'Name')
}

export function parseStabilityMatrix(texts: StabilityMatrixTexts, warnings: AiMetadataWarning[] = []): AiParameters | undefined {
  const params = parseObject(texts['parameters-json'])
  if (!params) {
    warnings.push({ generator: 'stability-matrix', field: 'metadata', reason: 'the parameters-json text is not a JSON object' })
    return undefined
  }
  const project = parseObject(texts.smproj)
  const state = project && objectField(project, 'State')
  const sampler = state && objectField(state, 'Sampler')
  const samplerName = selectedName(sampler, 'SelectedSampler')
  const scheduler = selectedName(sampler, 'SelectedScheduler')
  const extra: Record<string, string> = {}
  const hash = textField(params, 'ModelHash')
  if (hash !== undefined) extra.modelHash = hash
  return toParameters(
    'stability-matrix',
    {
      prompt: stringField(params, 'PositivePrompt'),
      negative: stringField(params, 'NegativePrompt'),
      seed: valueField(params, 'Seed'),
      steps: valueField(params, 'Steps'),
      cfg: valueField(params, 'CfgScale'),
      // The project's names are ComfyUI's (euler_ancestral + karras); parameters-json only has
      // the merged display name.
      sampler: samplerName ?? textField(params, 'Sampler'),
      scheduler: samplerName === undefined ? undefined : scheduler,
      model: textField(params, 'ModelName'),
      size: (sampler && sizeText(sampler.Width, sampler.Height)) ?? sizeText(params.Width, params.Height),
      extra,
    },
    texts['parameters-json'] ?? '',
    warnings,
  )
}
