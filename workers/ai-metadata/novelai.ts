import type { AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { capUtf8 } from './cap-text'
import { isJsonObject, parseJsonLossless } from './lossless-json'
import { assignSampling, toFiniteNumber, toSafeInteger } from './numbers'

// NovelAI PNGs carry tEXt "Software: NovelAI", "Source" (model name and
// hash), "Description" (the prompt) and "Comment" (the request as JSON:
// prompt, uc = negative, steps, scale = CFG, seed, sampler, ...). V4 models
// add structured v4_prompt / v4_negative_prompt with per-character captions.
// NovelAI WebPs carry the same fields as one JSON object in the EXIF UserComment
// ({"Comment": "{…}", "Description": …, "Software": "NovelAI", "Source": …}; enslo/sd-metadata
// samples/webp/novelai-*.webp). The "stealth" metadata hidden in alpha-channel LSBs is not read here.

export interface NovelAiTexts {
  Software?: string
  Source?: string
  Description?: string
  Comment?: string
}

/** Whether PNG text fields identify a NovelAI image. */
export function isNovelAi(texts: NovelAiTexts): boolean {
  return (texts.Software ?? '').startsWith('NovelAI') || (texts.Source ?? '').startsWith('NovelAI')
}

/**
 * Whether a JSON document (an EXIF UserComment) is NovelAI's wrapper of its PNG text fields: a
 * `Comment` string beside NovelAI's Software/Source, or a Comment that is a NovelAI request.
 */
export function isNovelAiJson(doc: Record<string, unknown>): boolean {
  if (typeof doc.Comment !== 'string') return false
  const texts = novelAiTexts(doc)
  return isNovelAi(texts) || /"(?:uc|scale|v4_prompt|noise_schedule)"\s*:/.test(doc.Comment)
}

/** The NovelAI text fields of a JSON wrapper (strings only; NovelAI pads Description with NULs). */
export function novelAiTexts(doc: Record<string, unknown>): NovelAiTexts {
  const texts: NovelAiTexts = {}
  for (const key of ['Software', 'Source', 'Description', 'Comment'] as const) {
    const value = Object.hasOwn(doc, key) ? doc[key] : undefined
    if (typeof value === 'string') texts[key] = key === 'Description' ? value.replace(/\0/g, '') : value
  }
  return texts
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value : undefined
}

function caption(value: unknown): { base: string | undefined; characters: string[] } {
  if (!isJsonObject(value) || !isJsonObject(value.caption)) return { base: undefined, characters: [] }
  const { base_caption: base, char_captions: chars } = value.caption
  const characters = Array.isArray(chars)
    ? chars.flatMap((c) => {
        const text = isJsonObject(c) ? nonEmptyString(c.char_caption) : undefined
        return text === undefined ? [] : [text]
      })
    : []
  return { base: nonEmptyString(base), characters }
}

/**
 * Parses NovelAI PNG text fields. A Comment that is not valid JSON still
 * yields the Description as prompt; undefined when there is neither.
 */
export function parseNovelAi(texts: NovelAiTexts, warnings: AiMetadataWarning[] = []): AiParameters | undefined {
  const parsed = texts.Comment !== undefined ? parseJsonLossless(texts.Comment) : undefined
  const comment = isJsonObject(parsed) ? parsed : {}
  if (texts.Comment !== undefined && !isJsonObject(parsed)) {
    // A cut Comment leaves the Description's prompt but none of the settings.
    warnings.push({ generator: 'novelai', field: 'metadata', reason: 'the Comment text is not a JSON object; only the Description was read' })
  }
  const positive = caption(comment.v4_prompt)
  const negative = caption(comment.v4_negative_prompt)

  const prompt = nonEmptyString(comment.prompt) ?? positive.base ?? nonEmptyString(texts.Description)
  if (prompt === undefined && Object.keys(comment).length === 0) return undefined
  if (prompt === undefined) warnings.push({ generator: 'novelai', field: 'prompt', reason: 'the NovelAI metadata names no prompt' })

  const result: AiParameters = {
    source: 'novelai',
    prompt: prompt ?? '',
    raw: capUtf8(texts.Comment ?? texts.Description ?? ''),
  }
  const extra: Record<string, string> = {}
  const negativePrompt = nonEmptyString(comment.uc) ?? negative.base
  if (negativePrompt !== undefined) result.negativePrompt = negativePrompt

  assignSampling(result, extra, { seed: comment.seed, steps: comment.steps, cfg: comment.scale })
  const sampler = nonEmptyString(comment.sampler)
  if (sampler !== undefined) result.sampler = sampler
  const model = nonEmptyString(texts.Source)
  if (model !== undefined) result.model = model

  const width = toSafeInteger(comment.width)
  const height = toSafeInteger(comment.height)
  if (width !== undefined && height !== undefined) extra.size = `${width}x${height}`
  const scheduler = nonEmptyString(comment.noise_schedule)
  if (scheduler !== undefined) extra.scheduler = scheduler
  const rescale = toFiniteNumber(comment.cfg_rescale)
  if (rescale !== undefined) extra.cfgRescale = String(rescale)
  // Character prompts are how V4 places several people; without them the
  // base caption alone misdescribes multi-character images.
  if (positive.characters.length > 0) extra.characterPrompts = positive.characters.join('\n')
  if (negative.characters.length > 0) extra.characterNegativePrompts = negative.characters.join('\n')
  if (Object.keys(extra).length > 0) result.extra = extra
  return result
}
