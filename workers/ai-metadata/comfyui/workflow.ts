import { isJsonObject } from '../lossless-json'
import { PASSTHROUGH } from './follow'
import type { ApiGraph, ApiNode } from './graph'
import { CONTROL, CONTROL_VALUES, WIDGET_NAMES } from './widgets'

// The editor's "workflow" (LiteGraph): nodes with positional widgets_values, inputs pointing at
// link ids, a links table, and (frontend ≥ 1.24) subgraph definitions. It is turned into the API
// shape ComfyUI itself would queue, so the same resolver reads both: PrimitiveNode and Reroute stay
// nodes that pass their value on, bypassed nodes (mode 4) pass their inputs through by type, muted
// ones (mode 2) are left out, and each subgraph instance is expanded with `instance:inner` ids.

// The frontend's dynamic-prompt pass, run when a graph is queued on every text widget marked
// `dynamicPrompts` (CLIPTextEncode's text is): comfyanonymous/ComfyUI
// web/extensions/core/dynamicPrompts.js @ 0767befd5bc7ade751e97c931cca0c8f0cb9897c
// (`str.replace(/\/\*[\s\S]*?\*\/|\/\/.*/g,'')`, then the `{a|b}` choices), quoted in
// comfy/comments.py @ 1504f55cdf6c9d972af5a11a5c40fc4a7df95df3. Today's frontend leaves the
// workflow's widget as typed (enslo/sd-metadata's samples/png/comfyui.png: the comment is in the
// workflow, not in the prompt), so the workflow needs the same pass to give what was queued.
/** What ComfyUI strips from prompt widgets before it queues a graph (so the API "prompt" never holds it). */
const COMMENTS = /\/\*[\s\S]*?\*\/|\/\/.*/g
const TEXT_WIDGETS = /^(text|text_g|text_l|clip_l|clip_g|t5xxl|prompt|value|string|populated_text|wildcard_text|text_positive|text_negative|positive|negative)$/i

export function stripPromptComments(text: string): string {
  return text.replace(COMMENTS, '')
}

/**
 * The same pass then replaces each `{a|b|…}` group by one of its options at random (so a prompt
 * with a real choice cannot be known from the workflow: it is left as it is, and the reader warns);
 * a group with one option is just unwrapped (`{{masterpiece}}` queues as `masterpiece`).
 */
export function resolveSingleChoices(text: string): string {
  let out = text
  for (let round = 0; round < text.length; round++) {
    const close = out.search(/(?<!\\)\}/)
    if (close < 0) return out
    const open = out.lastIndexOf('{', close)
    if (open < 0 || out[open - 1] === '\\') return out
    const inner = out.slice(open + 1, close)
    if (inner.includes('|')) return text
    out = out.slice(0, open) + inner + out.slice(close + 1)
  }
  return out
}

function promptWidget(text: string): string {
  return resolveSingleChoices(stripPromptComments(text))
}

interface UiLink {
  origin: string
  slot: number
}

export interface UiConversion {
  graph: ApiGraph
  /** Nodes that could not be expanded (legacy group nodes), by id and type. */
  unexpanded: string[]
}

const MAX_SUBGRAPH_DEPTH = 8
const MAX_NODES = 20_000

function readLinks(raw: unknown): Map<number, UiLink> {
  const links = new Map<number, UiLink>()
  if (!Array.isArray(raw)) return links
  for (const link of raw) {
    // Older files store links as [id, origin, originSlot, target, targetSlot, type], newer as objects.
    if (Array.isArray(link) && typeof link[0] === 'number' && (typeof link[1] === 'number' || typeof link[1] === 'string')) {
      links.set(link[0], { origin: String(link[1]), slot: typeof link[2] === 'number' ? link[2] : 0 })
    } else if (isJsonObject(link) && typeof link.id === 'number' && (typeof link.origin_id === 'number' || typeof link.origin_id === 'string')) {
      links.set(link.id, { origin: String(link.origin_id), slot: typeof link.origin_slot === 'number' ? link.origin_slot : 0 })
    }
  }
  return links
}

/** The frontend's control_after_generate value; early frontends wrote a boolean ("random seed after every gen"). */
function isControlValue(value: unknown): boolean {
  return typeof value === 'boolean' || (typeof value === 'string' && CONTROL_VALUES.has(value))
}

function nameWidgets(type: string, values: unknown): Record<string, unknown> {
  const inputs: Record<string, unknown> = {}
  // Some custom nodes (Video Helper Suite) serialise their widgets as an object by name.
  if (isJsonObject(values)) {
    for (const [name, value] of Object.entries(values)) if (typeof value !== 'object') inputs[name] = value
    return inputs
  }
  if (!Array.isArray(values)) return inputs
  const names = WIDGET_NAMES[type]
  if (names) {
    let at = 0
    for (const name of names) {
      if (at >= values.length) break
      // Files written without the control widget have the next value here instead.
      if (name === CONTROL && !isControlValue(values[at])) continue
      inputs[name] = values[at++]
    }
    return inputs
  }
  // An unknown node: when it has one string widget, that is its text, and when it has one number,
  // that is its value (text boxes, PrimitiveNode, seed nodes). With several, which is which is not
  // known (a loader's file names beside its prompts), and nothing is named.
  values.forEach((value, i) => {
    inputs[`widget_${i}`] = value
  })
  const strings = values.filter((v) => typeof v === 'string' && !CONTROL_VALUES.has(v))
  if (strings.length === 1) inputs.text = strings[0]
  const numbers = values.filter((v) => typeof v === 'number')
  if (numbers.length === 1) inputs.value = numbers[0]
  return inputs
}

interface Scope {
  prefix: string
  links: Map<number, UiLink>
  /** Inside a subgraph: the link each of its inputs gets from outside (id -10 in its links). */
  outerInputs?: (UiLink | undefined)[]
  depth: number
}

const SUBGRAPH_INPUT = '-10'
const SUBGRAPH_OUTPUT = '-20'

class Converter {
  readonly graph: ApiGraph = new Map()
  readonly unexpanded: string[] = []
  private readonly subgraphs = new Map<string, Record<string, unknown>>()
  private readonly groupNodes = new Map<string, Record<string, unknown>>()

  constructor(root: Record<string, unknown>) {
    const groups = isJsonObject(root.extra) ? root.extra.groupNodes : undefined
    if (isJsonObject(groups)) {
      for (const [name, group] of Object.entries(groups)) if (isJsonObject(group)) this.groupNodes.set(name, group)
    }
    const definitions = isJsonObject(root.definitions) ? root.definitions.subgraphs : undefined
    if (Array.isArray(definitions)) {
      for (const sub of definitions) if (isJsonObject(sub) && typeof sub.id === 'string') this.subgraphs.set(sub.id, sub)
    }
  }

  private resolveLink(scope: Scope, linkId: unknown): unknown {
    if (typeof linkId !== 'number') return undefined
    const link = scope.links.get(linkId)
    if (!link) return undefined
    if (link.origin === SUBGRAPH_INPUT) {
      const outer = scope.outerInputs?.[link.slot]
      return outer ? [outer.origin, outer.slot] : undefined
    }
    return [scope.prefix + link.origin, link.slot]
  }

  convertNodes(nodes: unknown[], scope: Scope): void {
    for (const raw of nodes) {
      if (this.graph.size >= MAX_NODES) return
      if (!isJsonObject(raw) || typeof raw.type !== 'string') continue
      if (typeof raw.id !== 'number' && typeof raw.id !== 'string') continue
      // Mode 2 is "never" (muted): the node did not run and nothing it would give exists.
      if (raw.mode === 2) continue
      const id = scope.prefix + String(raw.id)
      const uiInputs = Array.isArray(raw.inputs) ? raw.inputs.filter(isJsonObject) : []
      const linked = uiInputs.map((input) => ({
        name: typeof input.name === 'string' ? input.name : '',
        type: typeof input.type === 'string' ? input.type : '',
        value: this.resolveLink(scope, input.link),
      }))

      const sub = this.subgraphs.get(raw.type)
      if (sub) {
        this.expandSubgraph(id, sub, linked, scope)
        continue
      }
      const groupName = /^workflow[>/](.*)$/.exec(raw.type)?.[1]
      if (groupName !== undefined) {
        const group = this.groupNodes.get(groupName)
        if (group) this.expandGroupNode(id, group, linked)
        else this.unexpanded.push(`${id} (${raw.type})`)
        continue
      }
      if (raw.mode === 4) {
        // Bypassed: each output passes on the first input of the same type.
        const inputs: Record<string, unknown> = {}
        const outputs = Array.isArray(raw.outputs) ? raw.outputs : []
        outputs.forEach((output, slot) => {
          const type = isJsonObject(output) && typeof output.type === 'string' ? output.type : ''
          const match = linked.find((input) => input.value !== undefined && input.type === type)
          if (match) inputs[`slot${slot}`] = match.value
        })
        this.graph.set(id, { id, classType: PASSTHROUGH, inputs })
        continue
      }
      const inputs = nameWidgets(raw.type, raw.widgets_values)
      for (const [name, value] of Object.entries(inputs)) {
        if (typeof value === 'string' && TEXT_WIDGETS.test(name)) inputs[name] = promptWidget(value)
      }
      for (const input of linked) if (input.value !== undefined) inputs[input.name] = input.value
      const node: ApiNode = { id, classType: raw.type, inputs }
      this.graph.set(id, node)
    }
  }

  /**
   * A legacy group node (frontend 1.2–1.23, `extra.groupNodes`): its inner nodes are listed by index
   * with links between indexes. As the frontend builds it, the instance's inputs are the inner
   * nodes' unlinked non-widget inputs in order, its outputs the inner outputs not linked inside (or
   * marked `external`). The instance's own widgets_values can be a stale copy: in enslo/sd-metadata's
   * samples/png/comfyui-group-nodes.png it names another checkpoint than the graph ComfyUI queued,
   * which matches the definition's values, so the definition's values are read.
   */
  private expandGroupNode(id: string, group: Record<string, unknown>, linked: { value: unknown }[]): void {
    const nodes = Array.isArray(group.nodes) ? group.nodes.filter(isJsonObject) : []
    const links = Array.isArray(group.links) ? group.links.filter((l): l is unknown[] => Array.isArray(l)) : []
    const external = Array.isArray(group.external) ? group.external.filter((l): l is unknown[] => Array.isArray(l)) : []
    const linkedInside = (index: number, slot: number, end: 'in' | 'out'): boolean =>
      links.some((l) => (end === 'out' ? l[0] === index && l[1] === slot : l[2] === index && l[3] === slot))
    let nextInput = 0
    const outputs: Record<string, unknown> = {}
    let nextOutput = 0
    nodes.forEach((node, index) => {
      if (typeof node.type !== 'string') return
      const innerId = `${id}:${index}`
      const inputs = nameWidgets(node.type, node.widgets_values)
      for (const [name, value] of Object.entries(inputs)) {
        if (typeof value === 'string' && TEXT_WIDGETS.test(name)) inputs[name] = promptWidget(value)
      }
      const uiInputs = Array.isArray(node.inputs) ? node.inputs.filter(isJsonObject) : []
      uiInputs.forEach((input, slot) => {
        if (input.widget !== undefined || typeof input.name !== 'string') return
        const inside = links.find((l) => l[2] === index && l[3] === slot)
        if (inside) inputs[input.name] = [`${id}:${String(inside[0])}`, Number(inside[1])]
        else if (!linkedInside(index, slot, 'in')) {
          const outer = linked[nextInput++]?.value
          if (outer !== undefined) inputs[input.name] = outer
        }
      })
      this.graph.set(innerId, { id: innerId, classType: node.type, inputs })
      const uiOutputs = Array.isArray(node.outputs) ? node.outputs : []
      uiOutputs.forEach((_, slot) => {
        const isExternal = external.some((e) => e[0] === index && e[1] === slot)
        if (!linkedInside(index, slot, 'out') || isExternal) outputs[`slot${nextOutput++}`] = [innerId, slot]
      })
    })
    this.graph.set(id, { id, classType: PASSTHROUGH, inputs: outputs })
  }

  private expandSubgraph(id: string, sub: Record<string, unknown>, linked: { value: unknown }[], scope: Scope): void {
    if (scope.depth >= MAX_SUBGRAPH_DEPTH) {
      this.unexpanded.push(`${id} (subgraph nested too deep)`)
      return
    }
    const links = readLinks(sub.links)
    const outerInputs = linked.map((input) => {
      const value = input.value
      return Array.isArray(value) ? { origin: String(value[0]), slot: Number(value[1]) } : undefined
    })
    const inner: Scope = { prefix: `${id}:`, links, outerInputs, depth: scope.depth + 1 }
    // The instance's outputs: what reaches the subgraph's output node (-20), by slot.
    const outputs: Record<string, unknown> = {}
    if (Array.isArray(sub.links)) {
      for (const link of sub.links) {
        const target = Array.isArray(link) ? link[3] : isJsonObject(link) ? link.target_id : undefined
        const targetSlot = Array.isArray(link) ? link[4] : isJsonObject(link) ? link.target_slot : undefined
        const linkId = Array.isArray(link) ? link[0] : isJsonObject(link) ? link.id : undefined
        if (String(target) === SUBGRAPH_OUTPUT && typeof targetSlot === 'number') outputs[`slot${targetSlot}`] = this.resolveLink(inner, linkId)
      }
    }
    this.graph.set(id, { id, classType: PASSTHROUGH, inputs: outputs })
    if (Array.isArray(sub.nodes)) this.convertNodes(sub.nodes, inner)
  }
}

/** The workflow as an API-shaped graph, or undefined when it holds no nodes. */
export function workflowToApiGraph(json: unknown): UiConversion | undefined {
  if (!isJsonObject(json) || !Array.isArray(json.nodes)) return undefined
  const converter = new Converter(json)
  converter.convertNodes(json.nodes, { prefix: '', links: readLinks(json.links), depth: 0 })
  if (converter.graph.size === 0) return undefined
  return { graph: converter.graph, unexpanded: converter.unexpanded }
}
