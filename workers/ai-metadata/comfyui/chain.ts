import { follow, nodeLabel } from './follow'
import { asLink, compareIds, inputOf, isSampler, type ApiGraph, type ApiNode, type Budget } from './graph'
import { sizeOf } from './values'

// Which sampler's settings describe the image. The walk starts at the node that saves (or
// previews) the image and goes up its image/latent chain to the first sampler: the final pass.
// From there it keeps going up that sampler's latent: a sampler whose latent comes from another
// sampler (through a latent upscale, a VAE decode/upscale/encode round trip, a two-stage
// KSamplerAdvanced split) is a later pass of the same image — hires fix, refiner, upscale — and the
// settings, prompt and size of the first pass are what the image is known by (as A1111 writes them).
// Node ids say nothing about the order (the hires pass often has the lower id).

/** Inputs that never carry the image or latent being made. */
const NOT_IMAGE = new Set([
  'model', 'clip', 'vae', 'positive', 'negative', 'conditioning', 'control_net', 'clip_vision', 'upscale_model',
  'guider', 'sigmas', 'noise', 'sampler', 'mask', 'style_model',
])

const LATENT_INPUTS = ['latent_image', 'latent', 'samples', 'latents']

function imageInputs(node: ApiNode): [string, unknown][] {
  const entries = Object.entries(node.inputs).filter(([name, value]) => !NOT_IMAGE.has(name.toLowerCase()) && asLink(value) !== undefined)
  // A composite pastes `samples_from`/`source` (the subject's pass) onto `samples_to`/`destination`
  // (the canvas); the subject's pass is taken as the image's first pass, and a warning says so.
  const rank = (name: string): number => (/from|source/i.test(name) ? 0 : /to$|destination/i.test(name) ? 2 : 1)
  return entries.sort((a, b) => rank(a[0]) - rank(b[0]))
}

interface Upstream {
  sampler?: ApiNode
  /** Nodes on the way that merge several latents or images (LatentComposite, blends). */
  merges: ApiNode[]
  /** The first node on the way that states a size, before any sampler. */
  sized?: ApiNode
  size?: string
  /** Nodes reached that end the chain without a size (LoadImage). */
  ends: ApiNode[]
  problems: string[]
}

/** Breadth-first up the image/latent inputs of `start`, to the first sampler. */
function upstream(graph: ApiGraph, values: unknown[], budget: Budget, wantSize: boolean): Upstream {
  const result: Upstream = { merges: [], ends: [], problems: [] }
  const queue = [...values]
  const seen = new Set<string>()
  while (queue.length > 0 && budget.take()) {
    const { node, problem } = follow(graph, queue.shift(), budget)
    if (problem !== undefined) result.problems.push(problem)
    if (!node || seen.has(node.id)) continue
    seen.add(node.id)
    if (isSampler(node)) {
      result.sampler = node
      return result
    }
    if (wantSize && result.size === undefined) {
      const size = sizeOf(graph, node, budget)
      if (size !== undefined) {
        result.size = size
        result.sized = node
      }
    }
    const inputs = imageInputs(node)
    if (inputs.length === 0) result.ends.push(node)
    if (inputs.filter(([name]) => /samples|latent|image|source|destination/i.test(name)).length > 1) result.merges.push(node)
    for (const [, value] of inputs) queue.push(value)
  }
  return result
}

function latentInput(node: ApiNode): unknown {
  for (const name of LATENT_INPUTS) {
    const value = inputOf(node, name)
    if (asLink(value) !== undefined) return value
  }
  return undefined
}

function isSave(node: ApiNode): boolean {
  return /save|combine|output/i.test(node.classType)
}

/** Nodes that write or show an image: consumed by no other node, with an image input. */
function outputNodes(graph: ApiGraph): ApiNode[] {
  const consumed = new Set<string>()
  for (const node of graph.values()) {
    for (const value of Object.values(node.inputs)) {
      const link = asLink(value)
      if (link) consumed.add(link.id)
    }
  }
  const outputs = [...graph.values()].filter(
    (node) => !consumed.has(node.id) && ['images', 'image', 'samples', 'latent', 'video', 'frames'].some((name) => asLink(inputOf(node, name)) !== undefined),
  )
  // A saved image is the file; previews only showed on screen.
  const rank = (node: ApiNode): number => (isSave(node) ? 0 : /preview/i.test(node.classType) ? 2 : 1)
  return outputs.sort((a, b) => rank(a) - rank(b) || compareIds(a.id, b.id))
}

export interface Chain {
  /** The sampler whose output is saved. */
  final: ApiNode
  /** The first pass of the image: the sampler whose latent comes from no other sampler. */
  base: ApiNode
  size?: string
  problems: { field: 'size' | 'prompt'; reason: string }[]
}

/** Walks up from `final` to the first pass, with the size its latent states. */
function firstPass(graph: ApiGraph, final: ApiNode, budget: Budget): Omit<Chain, 'final'> {
  const problems: Chain['problems'] = []
  let base = final
  const visited = new Set<string>([base.id])
  for (;;) {
    const up = upstream(graph, [latentInput(base)], budget, true)
    for (const merge of up.merges) {
      problems.push({ field: 'prompt', reason: `the latent of sampler ${nodeLabel(base)} is merged from several passes by node ${nodeLabel(merge)}; the values of the pass it pastes on top are given` })
    }
    if (up.sampler && !visited.has(up.sampler.id)) {
      visited.add(up.sampler.id)
      base = up.sampler
      continue
    }
    if (up.size !== undefined) return { base, size: up.size, problems }
    const end = up.ends[0]
    const why = end ? `ends at node ${nodeLabel(end)}, which states no size` : latentInput(base) === undefined ? 'is not connected' : 'cannot be followed'
    problems.push({ field: 'size', reason: `the latent of sampler ${nodeLabel(base)} ${why}` })
    return { base, problems }
  }
}

/** The final and first-pass samplers of the saved image, or undefined when the graph has no sampler. */
export function findChain(graph: ApiGraph, budget: Budget): Chain | undefined {
  const finals: { output?: ApiNode; sampler: ApiNode }[] = []
  for (const output of outputNodes(graph)) {
    const sampler = upstream(graph, Object.values(output.inputs), budget, false).sampler
    if (!sampler) continue
    if (finals.length > 0 && !isSave(output)) break
    finals.push({ output, sampler })
    if (!isSave(output)) break
  }
  // No output node leads to a sampler (a graph saved by a custom node): take the first sampler.
  if (finals.length === 0) {
    const first = [...graph.values()].find(isSampler)
    if (!first) return undefined
    finals.push({ sampler: first })
  }
  const chain: Chain = { final: finals[0]!.sampler, ...firstPass(graph, finals[0]!.sampler, budget) }
  // Several save nodes whose images come from different first passes: the file is one of them,
  // and the graph does not say which.
  for (const other of finals.slice(1)) {
    const { base } = firstPass(graph, other.sampler, budget)
    if (base.id !== chain.base.id) {
      chain.problems.push({
        field: 'prompt',
        reason: `the graph saves images of several generations (node ${nodeLabel(finals[0]!.output!)} and node ${nodeLabel(other.output!)}); the values of the first are given`,
      })
      break
    }
  }
  return chain
}
