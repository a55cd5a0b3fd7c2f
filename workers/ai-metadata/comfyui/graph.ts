import { isJsonObject } from '../lossless-json'

// ComfyUI's API format ("prompt" text): node id → {class_type, inputs}, where an input is a literal
// or a link [originNodeId, outputSlot]. The UI workflow is converted into the same shape
// (workflow.ts), so one resolver serves both.

export interface ApiNode {
  id: string
  classType: string
  inputs: Record<string, unknown>
}

export interface Link {
  id: string
  slot: number
}

export type ApiGraph = Map<string, ApiNode>

/**
 * Every walk over a graph draws from one budget, so a 10,000-node or cyclic graph costs a bounded
 * amount of work: once it is spent, walks stop and the fields they were resolving stay unresolved.
 */
export class Budget {
  constructor(private left: number) {}
  take(): boolean {
    if (this.left <= 0) return false
    this.left--
    return true
  }
  get spent(): boolean {
    return this.left <= 0
  }
}

/** Steps allowed per parse: enough for any real graph's walks, small enough to stay under a millisecond or so. */
export const WALK_BUDGET = 50_000

export function asLink(value: unknown): Link | undefined {
  if (!Array.isArray(value) || value.length !== 2 || typeof value[1] !== 'number') return undefined
  const id: unknown = value[0]
  return typeof id === 'string' || typeof id === 'number' ? { id: String(id), slot: value[1] } : undefined
}

/**
 * An input by name. Custom nodes spell the usual names with other cases (`Text` on DF_Text_Box), so
 * an exact match wins and a case-insensitive one is the fallback.
 */
export function inputOf(node: ApiNode, name: string): unknown {
  if (Object.hasOwn(node.inputs, name)) return node.inputs[name]
  const lower = name.toLowerCase()
  for (const key of Object.keys(node.inputs)) if (key.toLowerCase() === lower) return node.inputs[key]
  return undefined
}

const DIGITS = /^\d+$/

/** Node ids in the order ComfyUI shows them: numbers numerically, then the rest (`4:1`, names) as text. */
export function compareIds(a: string, b: string): number {
  const aNum = DIGITS.test(a)
  const bNum = DIGITS.test(b)
  if (aNum && bNum) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
  if (aNum !== bNum) return aNum ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

export function toApiGraph(json: unknown): ApiGraph | undefined {
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
export function isSampler(node: ApiNode): boolean {
  const t = node.classType
  // KSamplerSelect only picks an algorithm for SamplerCustom*; it runs no loop.
  if (t.includes('KSamplerSelect')) return false
  return t.includes('KSampler') || t.includes('SamplerCustom')
}
