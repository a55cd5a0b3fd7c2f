import type { AiParameters } from './ai-parameters'
import { capUtf8 } from './cap-text'
import { isJsonObject, parseJsonLossless } from './lossless-json'
import { assignSampling, toFiniteNumber } from './numbers'

// ComfyUI saves two graphs as PNG text: "prompt" (API format: node id →
// {class_type, inputs}, where an input is a literal or a [nodeId, outputIndex]
// link) and "workflow" (the editor's format: nodes with positional
// widgets_values plus a separate links table). Graphs are arbitrary
// user-built DAGs, so extraction follows links with a depth limit and a
// visited set, and takes the first plausible answer rather than insisting on
// one canonical layout.

const MAX_DEPTH = 32

// ---------------------------------------------------------------- API format

interface ApiNode {
  id: string
  classType: string
  inputs: Record<string, unknown>
}

type ApiGraph = Map<string, ApiNode>

type Role = 'positive' | 'negative'

function linkTarget(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length !== 2 || typeof value[1] !== 'number') return undefined
  const id: unknown = value[0]
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined
}

function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true })
}

function toApiGraph(json: unknown): ApiGraph | undefined {
  if (!isJsonObject(json)) return undefined
  const graph: ApiGraph = new Map()
  for (const id of Object.keys(json).sort(compareIds)) {
    const node = json[id]
    if (!isJsonObject(node) || typeof node.class_type !== 'string') continue
    graph.set(id, { id, classType: node.class_type, inputs: isJsonObject(node.inputs) ? node.inputs : {} })
  }
  return graph.size > 0 ? graph : undefined
}

/** Nodes that run a denoising loop and so carry the generation settings. */
function isSamplerType(classType: string): boolean {
  // KSamplerSelect only picks a sampler algorithm for SamplerCustom*.
  return (classType.includes('KSampler') && !classType.includes('KSamplerSelect')) || classType.includes('SamplerCustom')
}

// Inputs that carry images, latents or models, never prompt text or settings.
const NON_TEXT_INPUTS = new Set([
  'model', 'clip', 'vae', 'image', 'images', 'pixels', 'samples', 'latent', 'latent_image', 'mask',
  'control_net', 'clip_vision', 'clip_vision_output', 'style_model', 'upscale_model', 'noise', 'sigmas',
  'sampler', 'guider',
])

// Inputs of a sampler that lead to prompt/model graphs rather than settings.
const NON_SETTING_INPUTS = new Set([
  'positive', 'negative', 'conditioning', 'model', 'vae', 'clip', 'latent_image', 'latent', 'image', 'images',
  'samples', 'pixels', 'mask',
])

// Names under which primitive/literal nodes hold the value they output.
const LITERAL_INPUTS = ['value', 'seed', 'noise_seed', 'int', 'float', 'number', 'string', 'text']

/** A literal input value, following links into literal/primitive nodes. */
function resolveScalar(graph: ApiGraph, value: unknown, names: readonly string[], depth = 0): unknown {
  if (typeof value === 'number' || typeof value === 'string') return value
  const target = linkTarget(value)
  if (target === undefined || depth >= MAX_DEPTH) return undefined
  const node = graph.get(target)
  if (!node) return undefined
  for (const name of [...names, ...LITERAL_INPUTS]) {
    if (name in node.inputs) {
      const resolved = resolveScalar(graph, node.inputs[name], names, depth + 1)
      if (resolved !== undefined) return resolved
    }
  }
  return undefined
}

/** The sampler plus the nodes wired into its setting inputs (noise, guider, sigmas, ...). */
function settingNodes(graph: ApiGraph, sampler: ApiNode): ApiNode[] {
  const nodes = [sampler]
  for (const [name, value] of Object.entries(sampler.inputs)) {
    if (NON_SETTING_INPUTS.has(name)) continue
    const target = linkTarget(value)
    const node = target === undefined ? undefined : graph.get(target)
    if (node && !nodes.includes(node)) nodes.push(node)
  }
  return nodes
}

function findSetting(graph: ApiGraph, nodes: ApiNode[], names: readonly string[]): unknown {
  for (const node of nodes) {
    for (const name of names) {
      if (!(name in node.inputs)) continue
      const value = resolveScalar(graph, node.inputs[name], names)
      if (value !== undefined) return value
    }
  }
  return undefined
}

function uniqueJoin(texts: string[]): string {
  return [...new Set(texts.map((t) => t.trim()).filter((t) => t.length > 0))].join('\n')
}

/** Inputs that hold prompt text in encoder and prompt-utility nodes, by preference. */
function textInputNames(role: Role): string[] {
  return [
    `text_${role}`, role, 'text', 'text_g', 'text_l', 'clip_l', 'clip_g', 't5xxl', 'prompt',
    'populated_text', 'wildcard_text', 'string',
  ]
}

/**
 * Prompt text reaching `link` through conditioning: text encoders answer
 * directly; combiners, reroutes and ControlNet appliers are walked through.
 */
function collectText(graph: ApiGraph, link: unknown, role: Role, depth: number, visited: Set<string>): string[] {
  const id = linkTarget(link)
  if (id === undefined || depth > MAX_DEPTH || visited.has(id)) return []
  visited.add(id)
  const node = graph.get(id)
  // Reaching another sampler means we left the conditioning graph.
  if (!node || isSamplerType(node.classType)) return []

  const texts: string[] = []
  for (const name of textInputNames(role)) {
    if (!(name in node.inputs)) continue
    const value = node.inputs[name]
    const text = typeof value === 'string' ? value : linkToString(graph, value)
    if (text !== undefined) texts.push(text)
    // `text_positive`/`positive` as a string is the whole answer for this role.
    if (text !== undefined && (name === role || name === `text_${role}`)) return [text]
  }
  if (texts.length > 0) return [uniqueJoin(texts)]

  // Nodes like ControlNetApplyAdvanced pass both conditionings through; stay
  // on the branch for the role being followed.
  if (linkTarget(node.inputs[role]) !== undefined) return collectText(graph, node.inputs[role], role, depth + 1, visited)
  const found: string[] = []
  for (const [name, value] of Object.entries(node.inputs)) {
    if (NON_TEXT_INPUTS.has(name)) continue
    found.push(...collectText(graph, value, role, depth + 1, visited))
  }
  return found
}

/** A string produced by a text utility node (string literal, styler, wildcard). */
function linkToString(graph: ApiGraph, link: unknown): string | undefined {
  if (linkTarget(link) === undefined) return undefined
  const value = resolveScalar(graph, link, ['text', 'string', 'value', 'prompt', 'populated_text', 'wildcard_text'])
  return typeof value === 'string' ? value : undefined
}

function promptFor(graph: ApiGraph, nodes: ApiNode[], role: Role): string | undefined {
  const names = role === 'positive' ? ['positive', 'conditioning'] : ['negative']
  for (const node of nodes) {
    for (const name of names) {
      if (linkTarget(node.inputs[name]) === undefined) continue
      const texts = collectText(graph, node.inputs[name], role, 0, new Set())
      if (texts.length > 0) return uniqueJoin(texts)
    }
  }
  return undefined
}

const MODEL_NAME_INPUTS = ['ckpt_name', 'unet_name']

function modelNameOf(node: ApiNode): string | undefined {
  for (const name of MODEL_NAME_INPUTS) {
    const value = node.inputs[name]
    if (typeof value === 'string' && value.length > 0) return value
  }
  return undefined
}

/** Walks the `model` chain back to its loader, noting LoRAs on the way. */
function modelFor(graph: ApiGraph, nodes: ApiNode[]): { model?: string; loras: string[] } {
  const loras: string[] = []
  const start = nodes.find((n) => linkTarget(n.inputs.model) !== undefined)
  let link: unknown = start?.inputs.model
  const visited = new Set<string>()
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const id = linkTarget(link)
    if (id === undefined || visited.has(id)) break
    visited.add(id)
    const node = graph.get(id)
    if (!node) break
    const lora = node.inputs.lora_name
    if (typeof lora === 'string' && lora.length > 0) loras.push(lora)
    const model = modelNameOf(node)
    if (model !== undefined) return { model, loras: loras.reverse() }
    link = node.inputs.model
  }
  // Layouts we cannot follow (custom loader packs) still usually have one checkpoint.
  for (const node of graph.values()) {
    const model = modelNameOf(node)
    if (model !== undefined) return { model, loras: loras.reverse() }
  }
  return { loras: loras.reverse() }
}

function firstEncoderText(graph: ApiGraph): string | undefined {
  for (const node of graph.values()) {
    if (!node.classType.startsWith('CLIPTextEncode')) continue
    const text = collectText(graph, [node.id, 0], 'positive', 0, new Set())
    if (text.length > 0) return text[0]
  }
  return undefined
}

interface Settings {
  seed?: unknown
  steps?: unknown
  cfg?: unknown
  sampler?: unknown
  scheduler?: unknown
  denoise?: unknown
}

function buildResult(
  raw: string,
  prompt: string,
  negative: string | undefined,
  s: Settings,
  model: string | undefined,
  loras: string[],
): AiParameters {
  const result: AiParameters = { source: 'comfyui', prompt, raw: capUtf8(raw) }
  const extra: Record<string, string> = {}
  if (negative !== undefined) result.negativePrompt = negative
  assignSampling(result, extra, { seed: s.seed, steps: s.steps, cfg: s.cfg })
  if (typeof s.sampler === 'string' && s.sampler.length > 0) result.sampler = s.sampler
  if (typeof s.scheduler === 'string' && s.scheduler.length > 0) extra.scheduler = s.scheduler
  const denoise = toFiniteNumber(s.denoise)
  if (denoise !== undefined) extra.denoise = String(denoise)
  if (model !== undefined) result.model = model
  if (loras.length > 0) extra.loras = loras.join(', ')
  if (Object.keys(extra).length > 0) result.extra = extra
  return result
}

/** Parses a ComfyUI API-format "prompt" graph. Malformed input gives undefined. */
export function parseComfyPrompt(promptJson: string): AiParameters | undefined {
  const graph = toApiGraph(parseJsonLossless(promptJson))
  if (!graph) return undefined
  const samplers = [...graph.values()].filter((n) => isSamplerType(n.classType))

  // Hires-fix and refiner graphs have several samplers; the first one (by id)
  // with a traceable prompt is normally the base pass.
  let chosen: { nodes: ApiNode[]; prompt: string } | undefined
  for (const sampler of samplers) {
    const nodes = settingNodes(graph, sampler)
    const prompt = promptFor(graph, nodes, 'positive')
    if (prompt !== undefined) {
      chosen = { nodes, prompt }
      break
    }
  }
  if (!chosen && samplers[0]) chosen = { nodes: settingNodes(graph, samplers[0]), prompt: firstEncoderText(graph) ?? '' }
  if (!chosen) {
    const prompt = firstEncoderText(graph)
    if (prompt === undefined) return undefined
    const { model, loras } = modelFor(graph, [])
    return buildResult(promptJson, prompt, undefined, {}, model, loras)
  }

  const { nodes, prompt } = chosen
  const settings: Settings = {
    seed: findSetting(graph, nodes, ['seed', 'noise_seed']),
    steps: findSetting(graph, nodes, ['steps']),
    cfg: findSetting(graph, nodes, ['cfg']),
    sampler: findSetting(graph, nodes, ['sampler_name']),
    scheduler: findSetting(graph, nodes, ['scheduler']),
    denoise: findSetting(graph, nodes, ['denoise']),
  }
  const { model, loras } = modelFor(graph, nodes)
  return buildResult(promptJson, prompt, promptFor(graph, nodes, 'negative'), settings, model, loras)
}

// ----------------------------------------------------------- workflow format

interface UiNode {
  id: string
  type: string
  /** Input slot name → incoming link id. */
  inputLinks: Map<string, number>
  widgets: unknown[]
  muted: boolean
}

interface UiGraph {
  nodes: UiNode[]
  byId: Map<string, UiNode>
  /** Link id → origin node id. */
  linkOrigin: Map<number, string>
}

function toUiGraph(json: unknown): UiGraph | undefined {
  if (!isJsonObject(json) || !Array.isArray(json.nodes)) return undefined
  const nodes: UiNode[] = []
  for (const raw of json.nodes) {
    if (!isJsonObject(raw) || typeof raw.type !== 'string') continue
    const id = raw.id
    if (typeof id !== 'number' && typeof id !== 'string') continue
    const inputLinks = new Map<string, number>()
    if (Array.isArray(raw.inputs)) {
      for (const input of raw.inputs) {
        if (isJsonObject(input) && typeof input.name === 'string' && typeof input.link === 'number') {
          inputLinks.set(input.name, input.link)
        }
      }
    }
    nodes.push({
      id: String(id),
      type: raw.type,
      inputLinks,
      widgets: Array.isArray(raw.widgets_values) ? raw.widgets_values : [],
      // Mode 2 is "never" (muted), 4 is bypassed: neither ran.
      muted: raw.mode === 2 || raw.mode === 4,
    })
  }
  if (nodes.length === 0) return undefined
  nodes.sort((a, b) => compareIds(a.id, b.id))

  const linkOrigin = new Map<number, string>()
  if (Array.isArray(json.links)) {
    for (const link of json.links) {
      // Older files store links as [id, origin, originSlot, target, targetSlot, type], newer as objects.
      if (Array.isArray(link) && typeof link[0] === 'number' && link[1] !== undefined && link[1] !== null) {
        linkOrigin.set(link[0], String(link[1]))
      } else if (isJsonObject(link) && typeof link.id === 'number' && link.origin_id !== undefined) {
        linkOrigin.set(link.id, String(link.origin_id))
      }
    }
  }
  return { nodes, byId: new Map(nodes.map((n) => [n.id, n])), linkOrigin }
}

function stringWidgets(node: UiNode): string[] {
  return node.widgets.filter((w): w is string => typeof w === 'string')
}

function uiText(graph: UiGraph, linkId: number | undefined, role: Role, depth: number, visited: Set<string>): string[] {
  if (linkId === undefined || depth > MAX_DEPTH) return []
  const id = graph.linkOrigin.get(linkId)
  if (id === undefined || visited.has(id)) return []
  visited.add(id)
  const node = graph.byId.get(id)
  if (!node || isSamplerType(node.type)) return []
  // Widget order differs per encoder, but their only string widgets are the prompt fields.
  if (node.type.startsWith('CLIPTextEncode')) return [uniqueJoin(stringWidgets(node))]
  const roleLink = node.inputLinks.get(role)
  if (roleLink !== undefined) return uiText(graph, roleLink, role, depth + 1, visited)
  const found: string[] = []
  for (const [name, link] of node.inputLinks) {
    if (!NON_TEXT_INPUTS.has(name)) found.push(...uiText(graph, link, role, depth + 1, visited))
  }
  return found
}

function uiSamplerSettings(node: UiNode): Settings {
  const w = node.widgets
  // KSamplerAdvanced starts with add_noise ("enable"/"disable") before the seed.
  const start = typeof w[0] === 'string' && (w[0] === 'enable' || w[0] === 'disable') ? 1 : 0
  // The frontend inserts a control_after_generate widget after the seed;
  // older or exported files sometimes lack it.
  const hasControl = typeof w[start + 1] === 'string'
  const at = start + (hasControl ? 2 : 1)
  const settings: Settings = { seed: w[start], steps: w[at], cfg: w[at + 1], sampler: w[at + 2], scheduler: w[at + 3] }
  if (node.type === 'KSampler') settings.denoise = w[at + 4]
  return settings
}

/** Best-effort parse of a ComfyUI UI-format "workflow". Malformed input gives undefined. */
export function parseComfyWorkflow(workflowJson: string): AiParameters | undefined {
  const graph = toUiGraph(parseJsonLossless(workflowJson))
  if (!graph) return undefined
  const sampler = graph.nodes.find(
    (n) => !n.muted && (n.type === 'KSampler' || n.type === 'KSamplerAdvanced') && n.widgets.length >= 5,
  )
  const encoders = graph.nodes.filter((n) => !n.muted && n.type.startsWith('CLIPTextEncode'))

  let prompt: string | undefined
  let negative: string | undefined
  if (sampler) {
    prompt = uniqueJoin(uiText(graph, sampler.inputLinks.get('positive'), 'positive', 0, new Set())) || undefined
    negative = uniqueJoin(uiText(graph, sampler.inputLinks.get('negative'), 'negative', 0, new Set())) || undefined
  }
  // Without usable links, the first encoder is the positive prompt in nearly every template.
  if (prompt === undefined && encoders[0]) prompt = uniqueJoin(stringWidgets(encoders[0]))
  if (prompt === undefined && !sampler) return undefined

  const loader = graph.nodes.find((n) => /CheckpointLoader|UNETLoader|UnetLoader/.test(n.type))
  const model = loader ? stringWidgets(loader)[0] : undefined
  const loras = graph.nodes
    .filter((n) => !n.muted && n.type.startsWith('LoraLoader'))
    .map((n) => stringWidgets(n)[0])
    .filter((name): name is string => name !== undefined)
  return buildResult(workflowJson, prompt ?? '', negative, sampler ? uiSamplerSettings(sampler) : {}, model, loras)
}

/** ComfyUI parameters from the "prompt" graph, else from the "workflow". */
export function parseComfyUi(texts: { prompt?: string | undefined; workflow?: string | undefined }): AiParameters | undefined {
  const fromPrompt = texts.prompt !== undefined ? parseComfyPrompt(texts.prompt) : undefined
  if (fromPrompt) return fromPrompt
  return texts.workflow !== undefined ? parseComfyWorkflow(texts.workflow) : undefined
}
