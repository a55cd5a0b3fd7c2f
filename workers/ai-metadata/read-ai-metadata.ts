import { parseA1111Parameters } from './a1111'
import type { AiMetadataRead, AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { parseComfyPrompt, parseComfyUi, parseComfyWorkflow } from './comfyui'
import { readExifText, type ExifText } from './exif-user-comment'
import { readJpegMetadata } from './jpeg-segments'
import { isNovelAi, parseNovelAi } from './novelai'
import { readPngMetadata } from './png-chunks'
import { resolveContainer } from './sniff-format'
import { readWebpMetadata } from './webp-chunks'

// Import-stage entry point: find whichever generator's parameters an image
// carries. Each container contributes raw text fields; the choice of parser
// depends on which fields exist, not on the container, because tools copy
// each other's conventions across formats.

/** Raw metadata text found in a file, before any parser is chosen. */
interface FoundText {
  /** PNG tEXt/zTXt/iTXt by keyword. */
  png: Record<string, string>
  exif: ExifText[]
  /** JPEG COM segments. */
  comments: string[]
}

function collectText(buf: Buffer, format: string): FoundText {
  const found: FoundText = { png: {}, exif: [], comments: [] }
  switch (resolveContainer(buf, format)) {
    case 'png': {
      const meta = readPngMetadata(buf)
      found.png = meta.text
      if (meta.exif) found.exif.push(meta.exif)
      break
    }
    case 'jpeg': {
      const meta = readJpegMetadata(buf)
      for (const block of meta.exif) {
        const exif = readExifText(block)
        if (exif) found.exif.push(exif)
      }
      found.comments = meta.comments
      break
    }
    case 'webp': {
      const { exif } = readWebpMetadata(buf)
      const text = exif && readExifText(exif)
      if (text) found.exif.push(text)
      break
    }
    case 'tiff': {
      // A TIFF file is itself the structure EXIF borrows.
      const text = readExifText(buf)
      if (text) found.exif.push(text)
      break
    }
    default:
      // GIF comments and HEIF/AVIF Exif items are not read yet.
      break
  }
  return found
}

/** Case-insensitive keyword lookup; a few tools capitalise "Parameters". */
function field(text: Record<string, string>, key: string): string | undefined {
  if (Object.hasOwn(text, key)) return text[key]
  const lower = key.toLowerCase()
  const match = Object.keys(text).find((k) => k.toLowerCase() === lower)
  return match === undefined ? undefined : text[match]
}

function fromPngText(text: Record<string, string>, warnings: AiMetadataWarning[]): AiParameters | undefined {
  const parameters = field(text, 'parameters')
  if (parameters !== undefined) {
    const result = parseA1111Parameters(parameters)
    if (result) return result
  }
  const prompt = field(text, 'prompt')
  const workflow = field(text, 'workflow')
  if (prompt !== undefined || workflow !== undefined) {
    const result = parseComfyUi({ prompt, workflow })
    if (result) return result
    warnings.push({ generator: 'comfyui', field: 'metadata', reason: `the PNG ${prompt !== undefined ? 'prompt' : 'workflow'} chunk is there but is not a ComfyUI graph that can be read` })
  }
  if (isNovelAi(text)) return parseNovelAi(text)
  return undefined
}

/**
 * Free text found outside the dedicated PNG keys (EXIF, COM) is shared with
 * cameras and editors, so it only counts as A1111 output when it carries a
 * recognisable settings line, and as ComfyUI when it is one of its graphs.
 */
function fromFreeText(text: string): AiParameters | undefined {
  const trimmed = text.trim()
  const tagged = /^(prompt|workflow):\s*(\{[\s\S]*\})$/i.exec(trimmed)
  if (tagged) {
    return tagged[1]!.toLowerCase() === 'prompt' ? parseComfyPrompt(tagged[2]!) : parseComfyWorkflow(tagged[2]!)
  }
  if (trimmed.startsWith('{')) return parseComfyPrompt(trimmed) ?? parseComfyWorkflow(trimmed)
  const a1111 = parseA1111Parameters(text)
  if (a1111 && (a1111.steps !== undefined || a1111.seed !== undefined || a1111.sampler !== undefined)) return a1111
  return undefined
}

function fromExif(exif: ExifText): AiParameters | undefined {
  // ComfyUI's WebP savers split the graphs over Model ("prompt:") and Make ("workflow:").
  for (const text of [exif.userComment, exif.model, exif.make, exif.imageDescription]) {
    if (text === undefined) continue
    const result = fromFreeText(text)
    if (result) return result
  }
  return undefined
}

/**
 * AI generation parameters embedded in an image, or undefined when there are
 * none. `format` is sharp's format name ('png', 'jpeg', 'webp', ...) and is
 * only used when the magic bytes are not recognised. Never throws: one odd
 * file must not abort an import run.
 */
export function readAiMetadata(buf: Buffer, format: string): AiParameters | undefined {
  return readAiMetadataReport(buf, format).parameters
}

/**
 * The parameters the file's containers hold (text chunks, EXIF, comments; not the alpha channel,
 * which needs the decoded pixels: see stages/ai-metadata.stage.ts) and the warnings met on the way.
 * Never throws.
 */
export function readAiMetadataReport(buf: Buffer, format: string): AiMetadataRead {
  const warnings: AiMetadataWarning[] = []
  const parameters = readParameters(buf, format, warnings)
  return parameters ? { parameters, warnings } : { warnings }
}

function readParameters(buf: Buffer, format: string, warnings: AiMetadataWarning[]): AiParameters | undefined {
  try {
    const found = collectText(buf, format)
    const fromPng = fromPngText(found.png, warnings)
    if (fromPng) return fromPng
    for (const exif of found.exif) {
      const result = fromExif(exif)
      if (result) return result
    }
    for (const comment of found.comments) {
      const result = fromFreeText(comment)
      if (result) return result
    }
    return undefined
  } catch {
    // The readers are written not to throw; this guards against what they missed.
    return undefined
  }
}
