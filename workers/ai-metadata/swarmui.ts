import type { AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { objectField, sizeText, stringField, textField, valueField, type JsonObject } from './json-fields'
import { toParameters } from './json-result'

// SwarmUI writes its own record of a generation as JSON: `{"sui_image_params": {prompt,
// negativeprompt, model, seed, steps, cfgscale, width, height, sampler, scheduler, …},
// "sui_extra_data": …, "sui_models": …}` — in the PNG `parameters` chunk (beside a ComfyUI `prompt`
// graph of its backend) and in the EXIF UserComment of JPEG and WebP.
// Shape as in enslo/sd-metadata samples/{png,jpg,webp}/swarmui*.

/** Whether a JSON document is SwarmUI's. */
export function isSwarmUi(doc: JsonObject): boolean {
  return objectField(doc, 'sui_image_params') !== undefined
}

export function parseSwarmUi(doc: JsonObject, raw: string, warnings: AiMetadataWarning[] = []): AiParameters | undefined {
  const params = objectField(doc, 'sui_image_params')
  if (!params) return undefined
  const extra: Record<string, string> = {}
  const version = textField(params, 'swarm_version')
  if (version !== undefined) extra.version = version
  return toParameters(
    'swarmui',
    {
      prompt: stringField(params, 'prompt'),
      negative: stringField(params, 'negativeprompt'),
      seed: valueField(params, 'seed'),
      steps: valueField(params, 'steps'),
      cfg: valueField(params, 'cfgscale'),
      sampler: textField(params, 'sampler'),
      scheduler: textField(params, 'scheduler'),
      model: textField(params, 'model'),
      size: sizeText(params.width, params.height),
      extra,
    },
    raw,
    warnings,
  )
}
