import type { AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { readComfyGraph } from './graph-reader'
import { sizeText, stringField, textField, valueField, type JsonObject } from './json-fields'
import { toParameters } from './json-result'
import { isJsonObject, parseJsonLossless } from './lossless-json'

// Civitai's generator writes the ComfyUI API graph it ran into the JPEG's EXIF UserComment, with two
// entries that are not nodes: "extra" ({airs: [...]}) and "extraMetadata", a JSON string holding
// the request as the user made it: {prompt, negativePrompt, steps, cfgScale, sampler, seed, width,
// height, baseModel, …}. The request names what the user asked for; an upscale-only graph has no
// sampler at all. So the request's values win, and the graph fills what it lacks (the scheduler,
// the checkpoint, the size of a hires pass).
// Shape as in enslo/sd-metadata samples/jpg/civitai-hires.jpg and civitai-upscale.jpg.

export function isCivitaiGraph(doc: JsonObject): boolean {
  return typeof doc.extraMetadata === 'string'
}

export function parseCivitai(doc: JsonObject, text: string, warnings: AiMetadataWarning[] = []): AiParameters | undefined {
  const request = parseJsonLossless(typeof doc.extraMetadata === 'string' ? doc.extraMetadata : '')
  const graph = readComfyGraph({ prompt: text })
  const g = graph.parameters
  if (!isJsonObject(request)) {
    warnings.push({ generator: 'comfyui', field: 'metadata', reason: 'Civitai extraMetadata is not a JSON object' })
    warnings.push(...graph.warnings)
    return g
  }
  const prompt = stringField(request, 'prompt')
  const { seed: _seed, size: _size, scheduler: _scheduler, ...graphExtra } = g?.extra ?? {}
  // The graph's doubts matter only for what the request does not say.
  const requestFields = new Set<string>(['prompt', 'negativePrompt', 'seed', 'steps', 'cfg', 'sampler'])
  warnings.push(...graph.warnings.filter((w) => !requestFields.has(w.field) || (w.field === 'prompt' && prompt === undefined)))
  return toParameters(
    'comfyui',
    {
      prompt: prompt ?? g?.prompt,
      negative: stringField(request, 'negativePrompt') ?? g?.negativePrompt,
      seed: valueField(request, 'seed') ?? g?.seed ?? g?.extra?.seed,
      steps: valueField(request, 'steps') ?? g?.steps,
      cfg: valueField(request, 'cfgScale') ?? g?.cfg,
      sampler: textField(request, 'sampler') ?? g?.sampler,
      scheduler: g?.extra?.scheduler,
      model: g?.model ?? textField(request, 'baseModel'),
      size: sizeText(request.width, request.height) ?? g?.extra?.size,
      extra: { ...graphExtra, generator: 'Civitai' },
    },
    text,
    warnings,
  )
}
