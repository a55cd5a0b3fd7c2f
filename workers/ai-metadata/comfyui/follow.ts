import { asLink, type ApiGraph, type ApiNode, type Budget, type Link } from './graph'

// Nodes that only pass a value on: reroutes (core, pysssss, rgthree), the virtual nodes the workflow
// conversion makes for bypassed nodes and subgraph boundaries, and switches. Following a link
// resolves them to the node that really produced the value.

/** Class types the workflow conversion gives its pass-through nodes; inputs `slot<N>` feed output N. */
export const PASSTHROUGH = '#passthrough'

const REROUTE = /^(Reroute|ReroutePrimitive\|pysssss|Reroute \(rgthree\))$/

export interface Followed {
  node?: ApiNode
  slot: number
  /** Why the link could not be followed (a switch whose choice is unknown, a missing node). */
  problem?: string
}

/** How warnings name a node: its id and class, e.g. `12 (ConditioningCombine)`. */
export function nodeLabel(node: ApiNode): string {
  return `${node.id} (${node.classType})`
}

/** A switch's selector: a literal, or one wired from a primitive (`value`, `int`, `boolean`). */
function selectorValue(graph: ApiGraph, value: unknown, budget: Budget): unknown {
  if (asLink(value) === undefined) return value
  const { node } = follow(graph, value, budget)
  if (!node) return undefined
  for (const name of ['value', 'int', 'boolean', 'number', 'seed']) {
    const literal = node.inputs[name]
    if (typeof literal === 'number' || typeof literal === 'boolean') return literal
  }
  return undefined
}

/** The input a switch node passes on, or undefined when it is not a switch. `problem` when it cannot tell. */
function switchChoice(graph: ApiGraph, node: ApiNode, budget: Budget): { value?: unknown; problem?: string } | undefined {
  if (!/switch|branch|ifelse/i.test(node.classType)) return undefined
  const entries = Object.entries(node.inputs)
  const selector = entries.find(([name]) => /^(select|selector|input|index|boolean|switch|sel|choice|on_off|mode|cond)$/i.test(name))
  const candidates = entries.filter(([name]) => name !== selector?.[0] && (asLink(node.inputs[name]) !== undefined || typeof node.inputs[name] === 'string'))
  if (selector) {
    const raw = selectorValue(graph, selector[1], budget)
    if (typeof raw === 'boolean' || raw === 'true' || raw === 'false') {
      const on = raw === true || raw === 'true'
      // Crystools/easy-use write on_true/on_false, Impact's ConditionalBranch tt_value/ff_value.
      const pick = candidates.find(([name]) => (on ? /^((on_)?true|if_true|tt_value)$/i : /^((on_)?false|if_false|ff_value)$/i).test(name))
      return pick ? { value: pick[1] } : { problem: `switch ${nodeLabel(node)} has no input for ${String(on)}` }
    }
    if (typeof raw === 'number' && Number.isInteger(raw)) {
      const pick = candidates.find(([name]) => new RegExp(`\\D${raw}$|^${raw}$`).test(name))
      return pick ? { value: pick[1] } : { problem: `switch ${nodeLabel(node)} selects input ${raw}, which is not connected` }
    }
    return { problem: `switch ${nodeLabel(node)} is set by a value that is not in the graph` }
  }
  // rgthree's Any Switch has no selector: the first input whose node ran is passed on, and the API
  // graph keeps only inputs from nodes that were not muted. Any other switch without a selector
  // the reader can see (a workflow's unknown widget) cannot be followed.
  if (!/rgthree|any switch/i.test(node.classType)) return { problem: `switch ${nodeLabel(node)} is set by a widget the reader does not know` }
  const first = candidates.find(([, value]) => asLink(value) !== undefined)
  return first ? { value: first[1] } : { problem: `switch ${nodeLabel(node)} has no connected input` }
}

/** Follows `value` (a link) through pass-through nodes to the node that produced it. */
export function follow(graph: ApiGraph, value: unknown, budget: Budget): Followed {
  let link: Link | undefined = asLink(value)
  if (!link) return { slot: 0 }
  const seen = new Set<string>()
  while (budget.take()) {
    const node = graph.get(link.id)
    if (!node) return { slot: link.slot, problem: `node ${link.id} is not in the graph` }
    const key = `${link.id}/${link.slot}`
    if (seen.has(key)) return { slot: link.slot, problem: `node ${nodeLabel(node)} is part of a cycle` }
    seen.add(key)
    let next: unknown
    if (node.classType === PASSTHROUGH) next = node.inputs[`slot${link.slot}`]
    else if (REROUTE.test(node.classType)) next = Object.values(node.inputs).find((v) => asLink(v) !== undefined)
    else {
      const choice = switchChoice(graph, node, budget)
      if (!choice) return { node, slot: link.slot }
      if (choice.problem !== undefined) return { node, slot: link.slot, problem: choice.problem }
      next = choice.value
      // A switch between literal strings passes the literal on.
      if (asLink(next) === undefined) return { node: { id: node.id, classType: 'PrimitiveString', inputs: { value: next } }, slot: 0 }
    }
    const nextLink = asLink(next)
    if (!nextLink) return { node, slot: link.slot, problem: `node ${nodeLabel(node)} passes on nothing` }
    link = nextLink
  }
  return { slot: link.slot, problem: 'the graph is too large to follow' }
}
