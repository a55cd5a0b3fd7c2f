import { parseA1111Parameters } from '../a1111'
import type { AiMetadataRead, AiMetadataWarning } from '../ai-metadata-read'
import type { AiParameters } from '../ai-parameters'
import { isJsonObject } from '../lossless-json'
import { isNovelAi, parseNovelAi, type NovelAiTexts } from '../novelai'
import { readStealthText } from './read-stealth-text'

// What the two writers put in the stream: A1111's extension the `parameters` text as it would
// go into tEXt; NovelAI a JSON object of its PNG text fields (Description, Software, Source,
// Comment, the last itself a JSON string), as d3x-at/sd-parsers reads it
// (src/sd_parsers/extractors/_png_stenographic_alpha.py, commit 0949676c).

const NOVELAI_KEYS = ['Software', 'Source', 'Description', 'Comment'] as const

function novelAiTexts(json: Record<string, unknown>): NovelAiTexts | undefined {
  const texts: NovelAiTexts = {}
  for (const key of NOVELAI_KEYS) {
    const value = json[key]
    if (typeof value === 'string') texts[key] = value
    else if (key === 'Comment' && isJsonObject(value)) texts.Comment = JSON.stringify(value)
  }
  return isNovelAi(texts) || texts.Comment !== undefined ? texts : undefined
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined
  try {
    const parsed: unknown = JSON.parse(text)
    return isJsonObject(parsed) ? parsed : undefined
  } catch {
    return undefined
  }
}

/** A1111 text counts only with its settings line: the extension copies `parameters`, which always has one. */
function parseA1111WithSettings(text: string): AiParameters | undefined {
  const result = parseA1111Parameters(text)
  return result && (result.steps !== undefined || result.seed !== undefined || result.sampler !== undefined) ? result : undefined
}

function fromText(signature: string, text: string, warnings: AiMetadataWarning[]): AiParameters | undefined {
  const json = parseJsonObject(text)
  if (json) {
    const texts = novelAiTexts(json)
    const parameters = texts && parseNovelAi(texts)
    if (parameters) return parameters
    const a1111 = typeof json.parameters === 'string' ? parseA1111WithSettings(json.parameters) : undefined
    if (a1111) return a1111
    warnings.push({ generator: texts ? 'novelai' : 'a1111', field: 'metadata', reason: `the ${signature} stealth metadata is JSON no reader knows` })
    return undefined
  }
  const a1111 = parseA1111WithSettings(text)
  if (!a1111) warnings.push({ generator: 'a1111', field: 'metadata', reason: `the ${signature} stealth metadata has no A1111 settings line` })
  return a1111
}

/**
 * Parameters hidden in a PNG's pixel low bits (A1111 stealth_pnginfo, NovelAI's alpha copy),
 * parsed by the same readers as the text chunks they copy, with a warning when a signature is
 * there but nothing can be read from it. Never throws.
 */
export async function readStealthParameters(buf: Buffer): Promise<AiMetadataRead> {
  const warnings: AiMetadataWarning[] = []
  const found = await readStealthText(buf)
  if (found.kind === 'none') return { warnings }
  if (found.kind === 'bad') {
    warnings.push({ generator: 'a1111', field: 'metadata', reason: `the pixels carry a ${found.signature} stealth signature, but ${found.reason}` })
    return { warnings }
  }
  try {
    const parameters = fromText(found.signature, found.text, warnings)
    return parameters ? { parameters, warnings } : { warnings }
  } catch {
    return { warnings }
  }
}
