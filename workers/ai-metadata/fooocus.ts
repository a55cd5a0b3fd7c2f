import type { AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { sizeFromText, sizeText, stringField, textField, valueField, type JsonObject } from './json-fields'
import { toParameters } from './json-result'

// Fooocus (metadata scheme "fooocus") and RuinedFooocus write a JSON object into the PNG
// `parameters` chunk, where A1111 writes text:
//   Fooocus:       {"prompt", "negative_prompt", "seed", "steps", "guidance_scale", "sampler",
//                   "scheduler", "base_model", "resolution": "(768, 1280)", "version": "Fooocus v2.4.3", …}
//   RuinedFooocus: {"Prompt", "Negative", "seed", "steps", "cfg", "width", "height", "sampler_name",
//                   "scheduler", "base_model_name", "software": "RuinedFooocus", …}
// Shapes as in d3x-at/sd-parsers tests/resources/parsers/Fooocus/ and enslo/sd-metadata
// samples/png/ruined-fooocus.png.

export function isFooocus(doc: JsonObject): boolean {
  const version = textField(doc, 'version') ?? ''
  return doc.metadata_scheme === 'fooocus' || version.startsWith('Fooocus') || Array.isArray(doc.full_prompt)
}

export function isRuinedFooocus(doc: JsonObject): boolean {
  return doc.software === 'RuinedFooocus' || (typeof doc.Prompt === 'string' && typeof doc.base_model_name === 'string')
}

export function parseFooocus(doc: JsonObject, raw: string, warnings: AiMetadataWarning[] = []): AiParameters {
  const extra: Record<string, string> = {}
  const version = textField(doc, 'version')
  if (version !== undefined) extra.version = version
  const styles = textField(doc, 'styles')
  if (styles !== undefined) extra.styles = styles
  return toParameters(
    'fooocus',
    {
      prompt: stringField(doc, 'prompt'),
      negative: stringField(doc, 'negative_prompt'),
      seed: valueField(doc, 'seed'),
      steps: valueField(doc, 'steps'),
      cfg: valueField(doc, 'guidance_scale'),
      sampler: textField(doc, 'sampler'),
      scheduler: textField(doc, 'scheduler'),
      model: textField(doc, 'base_model'),
      size: sizeFromText(doc.resolution),
      extra,
    },
    raw,
    warnings,
  )
}

export function parseRuinedFooocus(doc: JsonObject, raw: string, warnings: AiMetadataWarning[] = []): AiParameters {
  const hash = textField(doc, 'base_model_hash')
  return toParameters(
    'fooocus',
    {
      prompt: stringField(doc, 'Prompt'),
      negative: stringField(doc, 'Negative'),
      seed: valueField(doc, 'seed'),
      steps: valueField(doc, 'steps'),
      cfg: valueField(doc, 'cfg'),
      sampler: textField(doc, 'sampler_name'),
      scheduler: textField(doc, 'scheduler'),
      model: textField(doc, 'base_model_name'),
      size: sizeText(doc.width, doc.height),
      extra: { software: 'RuinedFooocus', ...(hash === undefined ? {} : { modelHash: hash }) },
    },
    raw,
    warnings,
  )
}
