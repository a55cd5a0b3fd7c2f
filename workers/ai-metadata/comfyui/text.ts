import { follow, nodeLabel } from './follow'
import { asLink, inputOf, isSampler, type ApiGraph, type ApiNode, type Budget } from './graph'

// Prompt text reaching a sampler's positive or negative input. Text encoders answer; conditioning
// combiners (Combine, Concat, Average, SetArea, SetMask, timestep ranges), ControlNet appliers and
// guidance nodes are walked through; GLIGEN's box labels are not the prompt (only its
// `conditioning_to` is followed); a zeroed-out conditioning has no text.

export type Role = 'positive' | 'negative'

const MAX_DEPTH = 64

/** Inputs that carry models, images or latents, never prompt text. */
const NON_TEXT_INPUTS = new Set([
  'model', 'clip', 'vae', 'image', 'images', 'pixels', 'samples', 'latent', 'latent_image', 'mask', 'control_net',
  'clip_vision', 'clip_vision_output', 'style_model', 'upscale_model', 'noise', 'sigmas', 'sampler', 'guider',
  'gligen_textbox_model', 'vae_optional', 'hint', 'controlnet', 'control_net_name', 'opt_clip', 'opt_model', 'opt_vae',
])

/** Inputs that hold prompt text in encoder and prompt-utility nodes, in order of preference. */
function textInputNames(role: Role): string[] {
  return [
    `text_${role}`, role, 'populated_text', 'text', 'text_g', 'text_l', 'clip_l', 'clip_g', 't5xxl', 'prompt',
    'wildcard_text', 'string',
  ]
}

export interface Collected {
  texts: string[]
  problems: string[]
}

export function uniqueJoin(texts: readonly string[]): string {
  return [...new Set(texts.map((t) => t.trim()).filter((t) => t.length > 0))].join('\n')
}

/** Names of string parts a concatenation node joins, in order (`text_a`, `string_b`, `text1`, …). */
const PART = /^(text|string)_?([a-z]|\d+)$/i

/** The string a text node outputs: a literal, a primitive, a wildcard's result, or a concatenation of parts. */
export function resolveString(graph: ApiGraph, value: unknown, budget: Budget, depth = 0): { text?: string; problem?: string } {
  if (typeof value === 'string') return { text: value }
  if (asLink(value) === undefined) return {}
  if (depth > MAX_DEPTH) return { problem: 'the chain of text nodes is too long' }
  const { node, problem } = follow(graph, value, budget)
  if (!node || problem !== undefined) return { problem }
  for (const name of ['populated_text', 'text', 'string', 'value', 'prompt', 'Text', 'STRING']) {
    const input = inputOf(node, name)
    if (input === undefined) continue
    const resolved = resolveString(graph, input, budget, depth + 1)
    if (resolved.text !== undefined && resolved.text.length > 0) return resolved
    if (resolved.problem !== undefined) return resolved
  }
  const parts = Object.keys(node.inputs).filter((name) => PART.test(name))
  if (parts.length > 0) {
    const delimiterInput = inputOf(node, 'delimiter') ?? inputOf(node, 'separator')
    const delimiter = typeof delimiterInput === 'string' ? delimiterInput : ''
    const texts: string[] = []
    for (const name of parts) {
      const resolved = resolveString(graph, node.inputs[name], budget, depth + 1)
      if (resolved.problem !== undefined) return resolved
      if (resolved.text !== undefined && resolved.text.length > 0) texts.push(resolved.text)
    }
    return { text: texts.join(delimiter) }
  }
  return { problem: `node ${nodeLabel(node)} gives no text the reader knows` }
}

function encoderTexts(graph: ApiGraph, node: ApiNode, role: Role, budget: Budget, out: Collected): boolean {
  const texts: string[] = []
  let found = false
  for (const name of textInputNames(role)) {
    const value = inputOf(node, name)
    if (value === undefined) continue
    // A wildcard node's template is only wanted when it has no result.
    if (name === 'wildcard_text' && texts.length > 0) continue
    const isRoleInput = name === role || name === `text_${role}`
    // `positive`/`negative` as a link is conditioning passing through (ControlNetApplyAdvanced), not text.
    if (isRoleInput && typeof value !== 'string') continue
    found = true
    const resolved = resolveString(graph, value, budget)
    if (resolved.problem !== undefined) out.problems.push(`the ${role} prompt's node ${nodeLabel(node)} input ${name}: ${resolved.problem}`)
    if (resolved.text !== undefined) texts.push(resolved.text)
    if (isRoleInput) break
  }
  if (found) {
    const joined = uniqueJoin(texts)
    if (joined.length > 0) out.texts.push(joined)
  }
  return found
}

function walk(graph: ApiGraph, value: unknown, role: Role, depth: number, seen: Set<string>, budget: Budget, out: Collected): void {
  if (asLink(value) === undefined) return
  const { node, problem } = follow(graph, value, budget)
  if (problem !== undefined) {
    out.problems.push(`the ${role} prompt: ${problem}`)
    return
  }
  if (!node || seen.has(node.id)) return
  if (depth > MAX_DEPTH) {
    out.problems.push(`the ${role} prompt's conditioning chain is longer than ${MAX_DEPTH} nodes`)
    return
  }
  seen.add(node.id)
  // Reaching another sampler means we left the conditioning graph.
  if (isSampler(node) || node.classType === 'ConditioningZeroOut') return
  if (/GLIGEN/i.test(node.classType)) {
    walk(graph, inputOf(node, 'conditioning_to'), role, depth + 1, seen, budget, out)
    return
  }
  if (encoderTexts(graph, node, role, budget, out)) return
  // Nodes like ControlNetApplyAdvanced carry both conditionings; stay on the role's branch.
  const roleInput = inputOf(node, role)
  if (asLink(roleInput) !== undefined) {
    walk(graph, roleInput, role, depth + 1, seen, budget, out)
    return
  }
  let followed = false
  for (const [name, input] of Object.entries(node.inputs)) {
    if (NON_TEXT_INPUTS.has(name.toLowerCase()) || asLink(input) === undefined) continue
    followed = true
    walk(graph, input, role, depth + 1, seen, budget, out)
  }
  if (!followed) out.problems.push(`the ${role} prompt's node ${nodeLabel(node)} holds no text the reader knows`)
}

/** The texts reaching `value` (a sampler's or guider's conditioning input). */
export function collectPrompt(graph: ApiGraph, value: unknown, role: Role, budget: Budget): Collected {
  const out: Collected = { texts: [], problems: [] }
  walk(graph, value, role, 0, new Set(), budget, out)
  return out
}
