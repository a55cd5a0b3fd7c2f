import type { AiSource } from '../../shared/types/image'
import type { AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { isCivitaiGraph, parseCivitai } from './civitai'
import { isFooocus, isRuinedFooocus, parseFooocus, parseRuinedFooocus } from './fooocus'
import { readComfyGraph } from './graph-reader'
import { isHfSpace, parseHfSpace } from './hf-space'
import { isJsonObject, parseJsonLossless } from './lossless-json'
import { isNovelAiJson, novelAiTexts, parseNovelAi } from './novelai'
import { isSwarmUi, parseSwarmUi } from './swarmui'
import { isTensorArt, parseTensorArt } from './tensorart'

// Several generators write a JSON document where A1111 writes its text (the PNG `parameters`
// chunk, the EXIF UserComment). The document's shape, not the place, says whose it is; a JSON
// document of no known shape is never taken for a prompt.

/** Whether text is meant as a JSON object or array (it may still be cut or invalid). */
export function looksLikeJson(text: string): boolean {
  const trimmed = text.trimStart()
  return trimmed.startsWith('{') || trimmed.startsWith('[')
}

/**
 * Parameters from a JSON document, chosen by its shape. `place` names where it was found, for the
 * warning when it is of no known shape or not valid JSON.
 */
export function readJsonDocument(text: string, place: string, warnings: AiMetadataWarning[]): AiParameters | undefined {
  const doc = parseJsonLossless(text.replace(/\0+$/, '').trim())
  if (!isJsonObject(doc)) {
    if (mayBeGeneration(text, place)) {
      warnings.push({ generator: guessGenerator(text), field: 'metadata', reason: `the ${place} text looks like JSON but is not a valid JSON object` })
    }
    return undefined
  }
  if (isSwarmUi(doc)) return parseSwarmUi(doc, text, warnings)
  if (isNovelAiJson(doc)) return parseNovelAi(novelAiTexts(doc), warnings)
  if (isFooocus(doc)) return parseFooocus(doc, text, warnings)
  if (isRuinedFooocus(doc)) return parseRuinedFooocus(doc, text, warnings)
  if (isTensorArt(doc)) return parseTensorArt(text, undefined, warnings)
  if (isHfSpace(doc)) return parseHfSpace(doc, text, warnings)
  if (isCivitaiGraph(doc)) return parseCivitai(doc, text, warnings)
  // ComfyUI "Save Image Plus" (JPEG/WebP): {"prompt": {API graph}, "workflow": {UI graph}}.
  if (isJsonObject(doc.prompt) || isJsonObject(doc.workflow)) {
    const graph = readComfyGraph({
      prompt: isJsonObject(doc.prompt) ? JSON.stringify(doc.prompt) : undefined,
      workflow: isJsonObject(doc.workflow) ? JSON.stringify(doc.workflow) : undefined,
    })
    warnings.push(...graph.warnings)
    if (graph.parameters) return graph.parameters
  }
  // A bare ComfyUI graph: API form (node id → {class_type, inputs}) or the UI workflow.
  if (isComfyGraphShape(doc)) {
    const graph = readComfyGraph({ prompt: text, workflow: text })
    warnings.push(...graph.warnings)
    if (graph.parameters) return graph.parameters
    if (graph.warnings.length > 0) return undefined
  }
  if (mayBeGeneration(text, place)) {
    warnings.push({ generator: guessGenerator(text), field: 'metadata', reason: `the ${place} text is a JSON document of no known generator` })
  }
  return undefined
}

/** A ComfyUI graph by its shape: API nodes (`class_type`) or the editor's workflow (`nodes`). */
function isComfyGraphShape(doc: Record<string, unknown>): boolean {
  if (Array.isArray(doc.nodes)) return true
  return Object.values(doc).some((node) => isJsonObject(node) && typeof node.class_type === 'string')
}

/**
 * Whether a document no reader took deserves a warning: always in the PNG `parameters` chunk (a
 * generator's keyword), elsewhere (EXIF, where phones and editors write JSON of their own) only
 * when it speaks of prompts, samplers or graphs.
 */
function mayBeGeneration(text: string, place: string): boolean {
  return place === 'parameters' || /prompt|sampler|class_type|"seed"|cfg/i.test(text.slice(0, 65536))
}

/** A label for a warning about a document no reader took: ComfyUI when it smells of a graph. */
function guessGenerator(text: string): AiSource {
  return /"class_type"|"last_node_id"/.test(text) ? 'comfyui' : 'a1111'
}
