import type { AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { objectField, sizeText, stringField, textField, valueField, type JsonObject } from './json-fields'
import { toParameters } from './json-result'
import { isJsonObject, parseJsonLossless } from './lossless-json'

// InvokeAI has written three forms into PNG text chunks over its versions:
//   `invokeai_metadata` (3.x and later): JSON {positive_prompt, negative_prompt, width, height,
//       seed, cfg_scale, steps, scheduler (the sampler, e.g. "euler_a"), model: {name | model_name}}
//   `sd-metadata` (2.x): JSON {model_weights, image: {prompt: text or [{prompt, weight}], steps,
//       cfg_scale, seed, width, height, sampler}} — the negative prompt is the prompt's [bracketed] text
//   `Dream` (1.x and 2.x): the command line `"prompt [negative]" -s 50 -S 2980747362 -W 512 -H 768
//       -C 5 -A k_lms …`
// Shapes as in d3x-at/sd-parsers tests/resources/parsers/InvokeAI/ and enslo/sd-metadata
// samples/png/invokeai*.png.

export interface InvokeAiTexts {
  invokeai_metadata?: string | undefined
  'sd-metadata'?: string | undefined
  Dream?: string | undefined
}

/** Whether PNG text fields hold InvokeAI metadata. */
export function hasInvokeAi(texts: InvokeAiTexts): boolean {
  return texts.invokeai_metadata !== undefined || texts['sd-metadata'] !== undefined || texts.Dream !== undefined
}

/** InvokeAI 2.x puts the negative prompt in square brackets inside the prompt. */
function splitBrackets(text: string): { prompt: string; negative?: string } {
  // A scan, not a regex: /\[([^\]]*)\]/g is quadratic on a long run of unclosed brackets.
  const negatives: string[] = []
  let prompt = ''
  let at = 0
  for (;;) {
    const open = text.indexOf('[', at)
    const close = open < 0 ? -1 : text.indexOf(']', open + 1)
    if (close < 0) break
    prompt += text.slice(at, open)
    const inner = text.slice(open + 1, close).trim()
    if (inner.length > 0) negatives.push(inner)
    at = close + 1
  }
  prompt = (prompt + text.slice(at)).trim()
  return negatives.length > 0 ? { prompt, negative: negatives.join(', ') } : { prompt }
}

function modelName(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (!isJsonObject(value)) return undefined
  return textField(value, 'name', 'model_name')
}

function fromInvokeAiMetadata(doc: JsonObject, raw: string, warnings: AiMetadataWarning[]): AiParameters {
  return toParameters(
    'invokeai',
    {
      prompt: stringField(doc, 'positive_prompt'),
      negative: stringField(doc, 'negative_prompt'),
      seed: valueField(doc, 'seed'),
      steps: valueField(doc, 'steps'),
      cfg: valueField(doc, 'cfg_scale'),
      sampler: textField(doc, 'scheduler'),
      model: modelName(doc.model),
      size: sizeText(doc.width, doc.height),
    },
    raw,
    warnings,
  )
}

function fromSdMetadata(doc: JsonObject, raw: string, warnings: AiMetadataWarning[]): AiParameters {
  const image = objectField(doc, 'image') ?? {}
  let promptText: string | undefined
  if (typeof image.prompt === 'string') promptText = image.prompt
  else if (Array.isArray(image.prompt)) {
    const parts = image.prompt.flatMap((p) => (isJsonObject(p) && typeof p.prompt === 'string' ? [p.prompt] : []))
    if (parts.length > 0) promptText = parts.join(' ')
  }
  const split = promptText === undefined ? undefined : splitBrackets(promptText)
  return toParameters(
    'invokeai',
    {
      prompt: split?.prompt,
      negative: split?.negative,
      seed: valueField(image, 'seed'),
      steps: valueField(image, 'steps'),
      cfg: valueField(image, 'cfg_scale'),
      sampler: textField(image, 'sampler'),
      model: textField(doc, 'model_weights'),
      size: sizeText(image.width, image.height),
    },
    raw,
    warnings,
  )
}

/** The `Dream` command line: a quoted prompt, then `-x value` switches. */
// A Dream line is a prompt and a few switches; anything longer is not one (and is not scanned).
const MAX_DREAM_CHARS = 64 * 1024

function fromDream(text: string, warnings: AiMetadataWarning[]): AiParameters | undefined {
  if (text.length > MAX_DREAM_CHARS) {
    warnings.push({ generator: 'invokeai', field: 'metadata', reason: `the Dream text is longer than ${MAX_DREAM_CHARS} characters` })
    return undefined
  }
  const m = /^\s*"((?:[^"\\]|\\.)*)"(.*)$/s.exec(text)
  if (!m) {
    warnings.push({ generator: 'invokeai', field: 'prompt', reason: 'the Dream text has no quoted prompt' })
    return undefined
  }
  const switches = new Map<string, string>()
  for (const s of m[2]!.matchAll(/(?:^|\s)-(\w+)\s+([^\s-][^\s]*)/g)) switches.set(s[1]!, s[2]!)
  const split = splitBrackets(m[1]!.replace(/\\(.)/g, '$1'))
  return toParameters(
    'invokeai',
    {
      prompt: split.prompt,
      negative: split.negative,
      seed: switches.get('S'),
      steps: switches.get('s'),
      cfg: switches.get('C'),
      sampler: switches.get('A'),
      size: sizeText(switches.get('W'), switches.get('H')),
    },
    text,
    warnings,
  )
}

/** InvokeAI parameters from PNG text fields, the newest form first. */
export function parseInvokeAi(texts: InvokeAiTexts, warnings: AiMetadataWarning[] = []): AiParameters | undefined {
  for (const [key, read] of [
    ['invokeai_metadata', fromInvokeAiMetadata],
    ['sd-metadata', fromSdMetadata],
  ] as const) {
    const text = texts[key]
    if (text === undefined) continue
    const doc = parseJsonLossless(text)
    if (isJsonObject(doc)) return read(doc, text, warnings)
    warnings.push({ generator: 'invokeai', field: 'metadata', reason: `the ${key} text is not a JSON object` })
  }
  return texts.Dream === undefined ? undefined : fromDream(texts.Dream, warnings)
}
