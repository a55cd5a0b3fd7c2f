import { hasA1111Settings, parseA1111Parameters } from './a1111'
import type { AiMetadataRead, AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { readExifText, type ExifText } from './exif-user-comment'
import { graphResolves, readComfyGraph } from './graph-reader'
import { hasInvokeAi, parseInvokeAi } from './invokeai'
import { readJpegMetadata } from './jpeg-segments'
import { looksLikeJson, readJsonDocument } from './json-document'
import { isNovelAi, parseNovelAi } from './novelai'
import { readPngMetadata } from './png-chunks'
import { resolveContainer } from './sniff-format'
import { hasStabilityMatrix, parseStabilityMatrix } from './stability-matrix'
import { parseTensorArt } from './tensorart'
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

function normalisedPrompt(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/**
 * The graph's values, with what it lacks (size, model, …) taken from A1111 text written by the same
 * saver — only when that text names the same prompt, i.e. describes the same generation.
 */
function withA1111Gaps(graph: AiParameters, a1111: AiParameters | undefined): AiParameters {
  if (!a1111 || normalisedPrompt(a1111.prompt) !== normalisedPrompt(graph.prompt)) return graph
  const merged: AiParameters = { ...graph }
  if (merged.negativePrompt === undefined && a1111.negativePrompt !== undefined) merged.negativePrompt = a1111.negativePrompt
  if (merged.seed === undefined && merged.extra?.seed === undefined && a1111.seed !== undefined) merged.seed = a1111.seed
  if (merged.steps === undefined && a1111.steps !== undefined) merged.steps = a1111.steps
  if (merged.cfg === undefined && a1111.cfg !== undefined) merged.cfg = a1111.cfg
  if (merged.sampler === undefined && a1111.sampler !== undefined) merged.sampler = a1111.sampler
  if (merged.model === undefined && a1111.model !== undefined) merged.model = a1111.model
  const size = a1111.extra?.size
  if (merged.extra?.size === undefined && size !== undefined) merged.extra = { ...merged.extra, size }
  return merged
}

/**
 * PNG text chunks, read by what they hold: each generator's own keyword first (NovelAI,
 * InvokeAI, Stability Matrix, TensorArt), then a JSON `parameters` by its shape, then a ComfyUI
 * graph that resolves, then A1111 text with a settings line; a graph that resolved only in part
 * and a `parameters` text without settings come last, each with a warning.
 */
function fromPngText(text: Record<string, string>, warnings: AiMetadataWarning[]): AiParameters | undefined {
  if (isNovelAi(text)) return parseNovelAi(text, warnings)
  const invoke = { invokeai_metadata: text.invokeai_metadata, 'sd-metadata': text['sd-metadata'], Dream: text.Dream }
  if (hasInvokeAi(invoke)) {
    const result = parseInvokeAi(invoke, warnings)
    if (result) return result
  }
  const stabilityMatrix = { 'parameters-json': text['parameters-json'], smproj: text.smproj }
  if (hasStabilityMatrix(stabilityMatrix)) {
    const result = parseStabilityMatrix(stabilityMatrix, warnings)
    if (result) return result
  }

  const parameters = field(text, 'parameters')
  const graph = readComfyGraph({ prompt: field(text, 'prompt'), workflow: field(text, 'workflow') })
  const generationData = text.generation_data
  if (generationData !== undefined) {
    const result = parseTensorArt(generationData, graph.parameters, warnings)
    if (result) return result
  }
  if (parameters !== undefined && looksLikeJson(parameters)) {
    const result = readJsonDocument(parameters, 'parameters', warnings)
    if (result) return result
  }
  // The text's own warnings count only when the text is what the file is read as.
  const a1111Warnings: AiMetadataWarning[] = []
  const a1111 = parameters !== undefined && !looksLikeJson(parameters) ? parseA1111Parameters(parameters, a1111Warnings) : undefined
  const a1111WithSettings = a1111 && hasA1111Settings(parameters!) ? a1111 : undefined
  if (graphResolves(graph)) {
    warnings.push(...graph.warnings)
    return withA1111Gaps(graph.parameters, a1111WithSettings)
  }
  if (a1111WithSettings) {
    warnings.push(...a1111Warnings)
    return a1111WithSettings
  }
  if (graph.parameters) {
    warnings.push(...graph.warnings)
    return graph.parameters
  }
  warnings.push(...graph.warnings)
  if (a1111) {
    warnings.push(...a1111Warnings)
    warnings.push({ generator: 'a1111', field: 'metadata', reason: 'the parameters text has no settings line; only its prompt was read' })
    return a1111
  }
  return undefined
}

/**
 * Free text found outside the dedicated PNG keys (EXIF, COM) is shared with
 * cameras and editors, so it only counts as A1111 output when it carries a
 * recognisable settings line, and as generator metadata when it is a JSON document of a known
 * shape (SwarmUI, NovelAI, Save Image Plus, Civitai, a ComfyUI graph, …).
 */
function fromFreeText(text: string, place: string, warnings: AiMetadataWarning[]): AiParameters | undefined {
  const trimmed = text.trim()
  const tagged = /^(prompt|workflow):\s*(\{[\s\S]*\})$/i.exec(trimmed)
  if (tagged) {
    const graph = readComfyGraph(tagged[1]!.toLowerCase() === 'prompt' ? { prompt: tagged[2]! } : { workflow: tagged[2]! })
    warnings.push(...graph.warnings)
    return graph.parameters
  }
  if (looksLikeJson(trimmed)) return readJsonDocument(trimmed, place, warnings)
  return hasA1111Settings(text) ? parseA1111Parameters(text, warnings) : undefined
}

function fromExif(exif: ExifText, warnings: AiMetadataWarning[]): AiParameters | undefined {
  // ComfyUI's WebP savers split the graphs over Model ("prompt:") and Make ("workflow:").
  const places: [string | undefined, string][] = [
    [exif.userComment, 'EXIF UserComment'],
    [exif.model, 'EXIF Model'],
    [exif.make, 'EXIF Make'],
    [exif.imageDescription, 'EXIF ImageDescription'],
  ]
  for (const [text, place] of places) {
    if (text === undefined) continue
    const result = fromFreeText(text, place, warnings)
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
      const result = fromExif(exif, warnings)
      if (result) return result
    }
    for (const comment of found.comments) {
      const result = fromFreeText(comment, 'JPEG comment', warnings)
      if (result) return result
    }
    return undefined
  } catch {
    // The readers are written not to throw; this guards against what they missed.
    return undefined
  }
}
