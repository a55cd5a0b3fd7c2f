import { follow, nodeLabel } from './follow'
import { asLink, inputOf, type ApiGraph, type ApiNode, type Budget } from './graph'

// The checkpoint a sampler's model comes from: the `model` chain is walked back through LoRA
// loaders, model patches and merges (first model of a merge) to the loader that names a file.

const MODEL_NAME_INPUTS = ['ckpt_name', 'unet_name', 'gguf_name', 'model_path']
const MAX_DEPTH = 64

function modelNameOf(node: ApiNode): string | undefined {
  for (const name of MODEL_NAME_INPUTS) {
    const value = inputOf(node, name)
    if (typeof value === 'string' && value.length > 0) return value
  }
  return undefined
}

function modelInput(node: ApiNode): unknown {
  for (const name of ['model', 'model1', 'model_a', 'base_model']) {
    const value = inputOf(node, name)
    if (asLink(value) !== undefined) return value
  }
  const other = Object.entries(node.inputs).find(([name, value]) => /model/i.test(name) && asLink(value) !== undefined)
  return other?.[1]
}

export function modelFor(graph: ApiGraph, nodes: ApiNode[], budget: Budget): { model?: string; loras: string[]; problem?: string } {
  const loras: string[] = []
  const start = nodes.find((n) => modelInput(n) !== undefined)
  if (!start) return { loras }
  let value = modelInput(start)
  const seen = new Set<string>()
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const { node, problem } = follow(graph, value, budget)
    if (problem !== undefined) return { loras: loras.reverse(), problem: `the model of sampler ${nodeLabel(start)}: ${problem}` }
    if (!node || seen.has(node.id)) break
    seen.add(node.id)
    const lora = inputOf(node, 'lora_name')
    if (typeof lora === 'string' && lora.length > 0 && lora !== 'None') loras.push(lora)
    const model = modelNameOf(node)
    if (model !== undefined) return { model, loras: loras.reverse() }
    value = modelInput(node)
    if (value === undefined) {
      return { loras: loras.reverse(), problem: `the model of sampler ${nodeLabel(start)} comes from node ${nodeLabel(node)}, which names no checkpoint the reader knows` }
    }
  }
  return { loras: loras.reverse(), problem: `the model chain of sampler ${nodeLabel(start)} cannot be followed` }
}
