import { asLink, inputOf, type ApiGraph, type ApiNode, type Budget, type Link } from './graph'

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

function label(node: ApiNode): string {
  return `${node.id} (${node.classType})`
}

/** The input a switch node passes on, or undefined when it is not a switch. `problem` when it cannot tell. */
function switchChoice(node: ApiNode): { value?: unknown; problem?: string } | undefined {
  if (!/switch|branch|ifelse/i.test(node.classType)) return undefined
  const entries = Object.entries(node.inputs)
  const selector = entries.find(([name]) => /^(select|selector|input|index|boolean|switch|sel|choice|on_off|mode|cond)$/i.test(name))
  const candidates = entries.filter(([name]) => name !== selector?.[0] && (asLink(node.inputs[name]) !== undefined || typeof node.inputs[name] === 'string'))
  if (selector) {
    const raw = selector[1]
    if (typeof raw === 'boolean' || raw === 'true' || raw === 'false') {
      const on = raw === true || raw === 'true'
      // Crystools/easy-use write on_true/on_false, Impact's ConditionalBranch tt_value/ff_value.
      const pick = candidates.find(([name]) => (on ? /^((on_)?true|if_true|tt_value)$/i : /^((on_)?false|if_false|ff_value)$/i).test(name))
      return pick ? { value: pick[1] } : { problem: `switch ${label(node)} has no input for ${String(on)}` }
    }
    if (typeof raw === 'number' && Number.isInteger(raw)) {
      const pick = candidates.find(([name]) => new RegExp(`\\D${raw}$|^${raw}$`).test(name))
      return pick ? { value: pick[1] } : { problem: `switch ${label(node)} selects input ${raw}, which is not connected` }
    }
    return { problem: `switch ${label(node)} is set by a value that is not in the graph` }
  }
  // Without a selector (rgthree's Any Switch), the first connected input is the one that ran:
  // the API graph only keeps inputs that were connected to nodes that were not muted.
  const first = candidates.find(([, value]) => asLink(value) !== undefined)
  return first ? { value: first[1] } : { problem: `switch ${label(node)} has no connected input` }
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
    if (seen.has(key)) return { slot: link.slot, problem: `node ${label(node)} is part of a cycle` }
    seen.add(key)
    let next: unknown
    if (node.classType === PASSTHROUGH) next = node.inputs[`slot${link.slot}`]
    else if (REROUTE.test(node.classType)) next = Object.values(node.inputs).find((v) => asLink(v) !== undefined)
    else {
      const choice = switchChoice(node)
      if (!choice) return { node, slot: link.slot }
      if (choice.problem !== undefined) return { node, slot: link.slot, problem: choice.problem }
      next = choice.value
      // A switch between literal strings passes the literal on.
      if (asLink(next) === undefined) return { node: { id: node.id, classType: 'PrimitiveString', inputs: { value: next } }, slot: 0 }
    }
    const nextLink = asLink(next)
    if (!nextLink) return { node, slot: link.slot, problem: `node ${label(node)} passes on nothing` }
    link = nextLink
  }
  return { slot: link.slot, problem: 'the graph is too large to follow' }
}

export { label as nodeLabel }

/** Convenience: an input of `node` followed to its producer. */
export function followInput(graph: ApiGraph, node: ApiNode, name: string, budget: Budget): Followed {
  return follow(graph, inputOf(node, name), budget)
}
