import type { AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { objectField, sizeText, stringField, textField, valueField, type JsonObject } from './json-fields'
import { toParameters } from './json-result'
import { isJsonObject, parseJsonLossless } from './lossless-json'
import { toSeed } from './numbers'

// TensorArt writes a `generation_data` PNG text chunk (JSON, UTF-8 bytes in a tEXt chunk):
// {prompt, negativePrompt, width, height, steps, cfgScale, seed, clipSkip, baseModel:
// {modelFileName, hash, …}, ksamplerName, schedule, …} next to the ComfyUI `prompt` graph it ran.
// Its seed is "-1" when the site drew a random one; the graph then holds the seed actually used.
// Shape as in enslo/sd-metadata samples/png/tensorart.png.

/** Whether a JSON document is TensorArt's generation_data. */
export function isTensorArt(doc: JsonObject): boolean {
  return typeof doc.ksamplerName === 'string' || (isJsonObject(doc.baseModel) && typeof doc.cfgScale !== 'undefined' && typeof doc.prompt === 'string')
}

/**
 * TensorArt parameters from `generation_data`; `graph` is what the ComfyUI graph of the same file
 * gave, used for the seed when generation_data says -1.
 */
export function parseTensorArt(
  text: string,
  graph: AiParameters | undefined,
  warnings: AiMetadataWarning[] = [],
): AiParameters | undefined {
  // TensorArt ends the chunk with a NUL byte, as C strings end.
  const doc = parseJsonLossless(text.replace(/\0+$/, ''))
  if (!isJsonObject(doc)) {
    warnings.push({ generator: 'tensorart', field: 'metadata', reason: 'the generation_data text is not a JSON object' })
    return undefined
  }
  let seed: unknown = valueField(doc, 'seed')
  const parsed = toSeed(seed)
  if (parsed === undefined || ('seed' in parsed && parsed.seed < 0)) {
    seed = graph?.seed ?? graph?.extra?.seed
    if (seed === undefined) warnings.push({ generator: 'tensorart', field: 'seed', reason: 'generation_data has a random seed (-1) and the graph names none' })
  }
  const base = objectField(doc, 'baseModel')
  const hash = base && textField(base, 'hash')
  return toParameters(
    'tensorart',
    {
      prompt: stringField(doc, 'prompt'),
      negative: stringField(doc, 'negativePrompt'),
      seed,
      steps: valueField(doc, 'steps'),
      cfg: valueField(doc, 'cfgScale'),
      sampler: textField(doc, 'ksamplerName'),
      scheduler: textField(doc, 'schedule'),
      model: base && textField(base, 'modelFileName'),
      size: sizeText(doc.width, doc.height),
      ...(hash === undefined ? {} : { extra: { modelHash: hash } }),
    },
    text,
    warnings,
  )
}
