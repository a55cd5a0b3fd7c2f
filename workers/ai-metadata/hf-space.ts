import type { AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { sizeFromText, stringField, textField, valueField, type JsonObject } from './json-fields'
import { toParameters } from './json-result'

// Hugging Face Space exports (the Gradio SDXL spaces) write a JSON object into the PNG
// `parameters` chunk: {"prompt", "negative_prompt", "resolution": "1024 x 1024",
// "guidance_scale", "num_inference_steps", "seed", "sampler", "Model", "Model hash", …}.
// Shape as in enslo/sd-metadata samples/png/huggingface-space*.png.

export function isHfSpace(doc: JsonObject): boolean {
  return typeof doc.prompt === 'string' && ('num_inference_steps' in doc || ('guidance_scale' in doc && 'resolution' in doc))
}

export function parseHfSpace(doc: JsonObject, raw: string, warnings: AiMetadataWarning[] = []): AiParameters {
  const hash = textField(doc, 'Model hash')
  return toParameters(
    'hf-space',
    {
      prompt: stringField(doc, 'prompt'),
      negative: stringField(doc, 'negative_prompt'),
      seed: valueField(doc, 'seed'),
      steps: valueField(doc, 'num_inference_steps'),
      cfg: valueField(doc, 'guidance_scale'),
      sampler: textField(doc, 'sampler'),
      model: textField(doc, 'Model', 'model'),
      size: sizeFromText(doc.resolution),
      ...(hash === undefined ? {} : { extra: { modelHash: hash } }),
    },
    raw,
    warnings,
  )
}
