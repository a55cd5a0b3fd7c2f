import type { AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { capUtf8 } from './cap-text'
import { findChain } from './comfyui/chain'
import { nodeLabel } from './comfyui/follow'
import { asLink, Budget, inputOf, toApiGraph, WALK_BUDGET, type ApiGraph, type ApiNode } from './comfyui/graph'
import { modelFor } from './comfyui/model'
import { collectPrompt, uniqueJoin, type Role } from './comfyui/text'
import { resolveScalar } from './comfyui/values'
import { WIDGET_NAMES } from './comfyui/widgets'
import { workflowToApiGraph } from './comfyui/workflow'
import { isJsonObject, parseJsonLossless } from './lossless-json'
import { assignSampling, toFiniteNumber } from './numbers'

// ComfyUI saves two graphs as PNG text: "prompt" (the API graph it queued) and "workflow" (the
// editor's graph). Both are read the same way (the workflow is converted to the API shape): find
// the sampler chain that made the saved image (comfyui/chain.ts), then follow its inputs back to
// prompt text, settings, checkpoint and size. A field that cannot be followed is left out and a
// warning names it and the node that stopped the walk; nothing is guessed from unrelated nodes.

type Warnings = AiMetadataWarning[]

function warn(warnings: Warnings, field: AiMetadataWarning['field'], reason: string): void {
  if (!warnings.some((w) => w.field === field && w.reason === reason)) warnings.push({ generator: 'comfyui', field, reason })
}

/** Inputs of a sampler that lead to prompt/model/latent graphs rather than settings. */
const NON_SETTING_INPUTS = new Set([
  'positive', 'negative', 'conditioning', 'model', 'vae', 'clip', 'latent_image', 'latent', 'image', 'images', 'samples',
  'pixels', 'mask',
])

/** The sampler plus the nodes wired into its setting inputs (noise, guider, sigmas, sampler). */
function settingNodes(graph: ApiGraph, sampler: ApiNode): ApiNode[] {
  const nodes = [sampler]
  for (const [name, value] of Object.entries(sampler.inputs)) {
    const link = asLink(value)
    if (NON_SETTING_INPUTS.has(name.toLowerCase()) || !link) continue
    const node = graph.get(link.id)
    if (node && !nodes.includes(node)) nodes.push(node)
  }
  return nodes
}

interface Setting {
  field: 'seed' | 'steps' | 'cfg' | 'sampler' | 'scheduler'
  names: string[]
}

const SETTINGS: Setting[] = [
  { field: 'seed', names: ['seed', 'noise_seed'] },
  { field: 'steps', names: ['steps'] },
  { field: 'cfg', names: ['cfg'] },
  { field: 'sampler', names: ['sampler_name'] },
  { field: 'scheduler', names: ['scheduler'] },
]

function findSetting(graph: ApiGraph, nodes: ApiNode[], names: string[], budget: Budget, problem: (reason: string) => void): unknown {
  for (const node of nodes) {
    for (const name of names) {
      const input = inputOf(node, name)
      if (input === undefined) continue
      const resolved = resolveScalar(graph, input, names, budget)
      if (resolved.value !== undefined) return resolved.value
      problem(`the ${name} of node ${nodeLabel(node)}: ${resolved.problem ?? 'no value'}`)
      return undefined
    }
  }
  return undefined
}

function promptOf(graph: ApiGraph, nodes: ApiNode[], role: Role, budget: Budget, warnings: Warnings): string | undefined {
  const names = role === 'positive' ? ['positive', 'conditioning'] : ['negative']
  const field = role === 'positive' ? 'prompt' : 'negativePrompt'
  for (const node of nodes) {
    for (const name of names) {
      const input = inputOf(node, name)
      if (asLink(input) === undefined) continue
      const { texts, problems } = collectPrompt(graph, input, role, budget)
      // Part of the prompt is behind a node we cannot follow: what we have would be a wrong prompt.
      if (problems.length > 0) {
        for (const reason of problems) warn(warnings, field, reason)
        return undefined
      }
      return uniqueJoin(texts)
    }
  }
  return undefined
}

/** ComfyUI resolves `{a|b}` choices at random when queueing; a workflow's widget still holds the choices. */
const RANDOM_CHOICE = /(?<!\\)\{[^{}]*\|[^{}]*\}/

interface ReadOptions {
  fromWorkflow: boolean
}

function readGraph(graph: ApiGraph, raw: string, warnings: Warnings, options: ReadOptions): AiParameters | undefined {
  const budget = new Budget(WALK_BUDGET)
  const chain = findChain(graph, budget)
  if (!chain) return withoutSampler(graph, raw, budget, warnings)
  const { base } = chain
  if (options.fromWorkflow && !(base.classType in WIDGET_NAMES)) {
    warn(warnings, 'metadata', `the workflow's sampler node ${nodeLabel(base)} lists its widgets in an order the reader does not know; its settings are not read`)
  }
  const nodes = settingNodes(graph, base)
  const result: AiParameters = { source: 'comfyui', prompt: '', raw: capUtf8(raw) }
  const extra: Record<string, string> = {}

  let prompt = promptOf(graph, nodes, 'positive', budget, warnings)
  let negative = promptOf(graph, nodes, 'negative', budget, warnings)
  if (options.fromWorkflow) {
    for (const [field, text] of [['prompt', prompt], ['negativePrompt', negative]] as const) {
      if (text !== undefined && RANDOM_CHOICE.test(text)) {
        warn(warnings, field, `the workflow's ${field === 'prompt' ? 'prompt' : 'negative prompt'} holds {…|…} choices that ComfyUI picks at random when it queues the graph`)
        if (field === 'prompt') prompt = undefined
        else negative = undefined
      }
    }
  }
  for (const problem of chain.problems) warn(warnings, problem.field, problem.reason)
  if (prompt !== undefined) result.prompt = prompt
  if (negative !== undefined) result.negativePrompt = negative

  const values: Partial<Record<Setting['field'], unknown>> = {}
  for (const setting of SETTINGS) {
    values[setting.field] = findSetting(graph, nodes, setting.names, budget, (reason) => warn(warnings, setting.field, reason))
  }
  assignSampling(result, extra, { seed: values.seed, steps: values.steps, cfg: values.cfg })
  if (typeof values.sampler === 'string' && values.sampler.length > 0) result.sampler = values.sampler
  if (typeof values.scheduler === 'string' && values.scheduler.length > 0) extra.scheduler = values.scheduler
  const denoise = toFiniteNumber(findSetting(graph, nodes, ['denoise'], budget, () => {}))
  if (denoise !== undefined) extra.denoise = String(denoise)
  if (chain.size !== undefined) extra.size = chain.size

  const { model, loras, problem } = modelFor(graph, nodes, budget)
  if (model !== undefined) result.model = model
  else if (problem !== undefined) warn(warnings, 'model', problem)
  if (loras.length > 0) extra.loras = loras.join(', ')
  if (Object.keys(extra).length > 0) result.extra = extra
  if (budget.spent) {
    // A walk cut short may have stopped at the wrong sampler or half a prompt: keep nothing of it.
    warn(warnings, 'prompt', `the graph of ${graph.size} nodes is too large to follow; its values are not read`)
    return { source: 'comfyui', prompt: '', raw: result.raw }
  }
  return result
}

const ENCODER = /^CLIPTextEncode/

/**
 * A graph without a sampler the reader knows (a custom sampler node, a text-only graph): one text
 * encoder is the prompt it describes; with several, which one is the prompt is unknown and the
 * prompt is left empty. Either way a warning says the sampler was not found.
 */
function withoutSampler(graph: ApiGraph, raw: string, budget: Budget, warnings: Warnings): AiParameters | undefined {
  const encoders = [...graph.values()].filter((node) => ENCODER.test(node.classType))
  if (encoders.length === 0) return undefined
  const result: AiParameters = { source: 'comfyui', prompt: '', raw: capUtf8(raw) }
  if (encoders.length === 1) {
    const { texts, problems } = collectPrompt(graph, [encoders[0]!.id, 0], 'positive', budget)
    if (problems.length === 0) result.prompt = uniqueJoin(texts)
    for (const reason of problems) warn(warnings, 'prompt', reason)
    warn(warnings, 'metadata', `the graph has no sampler node the reader knows; the prompt is its only text encoder's, node ${nodeLabel(encoders[0]!)}`)
  } else {
    warn(warnings, 'prompt', `the graph has no sampler node the reader knows, and ${encoders.length} text encoders: which one is the prompt is unknown`)
  }
  const loaders = [...graph.values()].filter((node) => typeof inputOf(node, 'ckpt_name') === 'string' || typeof inputOf(node, 'unet_name') === 'string')
  const model = loaders.length === 1 ? (inputOf(loaders[0]!, 'ckpt_name') ?? inputOf(loaders[0]!, 'unet_name')) : undefined
  if (typeof model === 'string') result.model = model
  return result
}

/** Parses a ComfyUI API-format "prompt" graph. Malformed input or a graph without a sampler gives undefined. */
export function parseComfyPrompt(promptJson: string, warnings: Warnings = []): AiParameters | undefined {
  const graph = toApiGraph(parseJsonLossless(promptJson))
  if (!graph) return undefined
  return readGraph(graph, promptJson, warnings, { fromWorkflow: false })
}

/** Parses a ComfyUI UI-format "workflow". Malformed input or a workflow without a sampler gives undefined. */
export function parseComfyWorkflow(workflowJson: string, warnings: Warnings = []): AiParameters | undefined {
  const converted = workflowToApiGraph(parseJsonLossless(workflowJson))
  if (!converted) return undefined
  const local: Warnings = []
  const result = readGraph(converted.graph, workflowJson, local, { fromWorkflow: true })
  if (!result) return undefined
  for (const node of converted.unexpanded) warn(local, 'metadata', `the workflow's group node ${node} cannot be expanded; what it holds is not read`)
  warnings.push(...local)
  return result
}

/** ComfyUI parameters from the "prompt" graph, else from the "workflow" (a cut or missing prompt). */
export function parseComfyUi(
  texts: { prompt?: string | undefined; workflow?: string | undefined },
  warnings: Warnings = [],
): AiParameters | undefined {
  if (texts.prompt !== undefined) {
    const fromPrompt = parseComfyPrompt(texts.prompt, warnings)
    if (fromPrompt) return fromPrompt
  }
  if (texts.workflow === undefined) return undefined
  const fromWorkflow = parseComfyWorkflow(texts.workflow, warnings)
  if (fromWorkflow && texts.prompt !== undefined && !isJsonObject(parseJsonLossless(texts.prompt))) {
    warn(warnings, 'metadata', 'the "prompt" graph is not valid JSON (cut or damaged); the values are read from the "workflow"')
  }
  return fromWorkflow
}

