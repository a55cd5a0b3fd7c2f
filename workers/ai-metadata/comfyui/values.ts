import { follow, nodeLabel } from './follow'
import { asLink, inputOf, type ApiGraph, type ApiNode, type Budget } from './graph'

// Settings wired from other nodes: primitives (core PrimitiveInt/Float/String, the UI's
// PrimitiveNode converted to one), seed nodes (rgthree, CR Seed), number and string utilities.

/** Names under which literal nodes hold the value they output. */
const LITERAL_INPUTS = ['value', 'seed', 'noise_seed', 'int', 'float', 'number', 'string', 'text']

export interface Resolved {
  value?: unknown
  problem?: string
}

/** A literal input value, following links into literal/primitive nodes by the wanted names. */
export function resolveScalar(graph: ApiGraph, value: unknown, names: readonly string[], budget: Budget, depth = 0): Resolved {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return { value }
  if (asLink(value) === undefined) return {}
  if (depth > 16) return { problem: 'the chain of value nodes is too long' }
  const { node, problem } = follow(graph, value, budget)
  if (!node) return { problem }
  if (problem !== undefined) return { problem }
  for (const name of [...names, ...LITERAL_INPUTS]) {
    const input = inputOf(node, name)
    if (input === undefined) continue
    const resolved = resolveScalar(graph, input, names, budget, depth + 1)
    if (resolved.value !== undefined || resolved.problem !== undefined) return resolved
  }
  return { problem: `node ${nodeLabel(node)} gives no value the reader knows` }
}

/** "1024 x 1024  (square)", "832×1216", "1024*768 (4:3)": the size strings of resolution pickers. */
const SIZE_TEXT = /(\d{2,5})\s*[x×*]\s*(\d{2,5})/

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined
}

/** The `WxH` a latent or image node states, or undefined when it states none. */
export function sizeOf(graph: ApiGraph, node: ApiNode, budget: Budget): string | undefined {
  const width = positiveInt(resolveScalar(graph, inputOf(node, 'width'), ['width'], budget).value)
  const height = positiveInt(resolveScalar(graph, inputOf(node, 'height'), ['height'], budget).value)
  if (width !== undefined && height !== undefined) return `${width}x${height}`
  for (const name of ['dimensions', 'resolution', 'size', 'aspect_ratio']) {
    const text = inputOf(node, name)
    const match = typeof text === 'string' ? SIZE_TEXT.exec(text) : null
    if (match) return `${Number(match[1])}x${Number(match[2])}`
  }
  return undefined
}
