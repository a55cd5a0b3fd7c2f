import * as ort from 'onnxruntime-node'
import { performance } from 'node:perf_hooks'

/** One `session.run` as the product made it: which file (when created from a path), the input shapes, how long. */
export interface RecordedRun {
  file: string | undefined
  shapes: Record<string, readonly number[]>
  types: Record<string, ort.Tensor.Type>
  ms: number
}

type AnySession = ort.InferenceSession
const files = new WeakMap<object, string>()
let recording: RecordedRun[] | undefined
let total = 0

/**
 * Time inside onnxruntime: every session (ours, the paddle engine's and transformers.js's) runs
 * through this prototype, and every session made from a path goes through `create`, so a run can
 * be traced to its model file. onnxruntime-node 1.21's `run` blocks the main thread while it runs.
 */
export function installOrtTiming(): void {
  const prototype = (ort.InferenceSession as unknown as { prototype: { run: (...args: unknown[]) => Promise<unknown> } }).prototype
  const run = prototype.run
  prototype.run = async function timedRun(this: object, ...args: unknown[]) {
    const start = performance.now()
    try {
      return await run.apply(this, args)
    } finally {
      const ms = performance.now() - start
      total += ms
      if (recording) {
        const feeds = args[0] as Record<string, ort.Tensor>
        recording.push({
          file: files.get(this),
          shapes: Object.fromEntries(Object.entries(feeds).map(([name, tensor]) => [name, [...tensor.dims]])),
          types: Object.fromEntries(Object.entries(feeds).map(([name, tensor]) => [name, tensor.type])),
          ms,
        })
      }
    }
  }
  const holder = ort.InferenceSession as unknown as { create: (...args: unknown[]) => Promise<AnySession> }
  const create = holder.create.bind(ort.InferenceSession)
  holder.create = async (...args: unknown[]) => {
    const session = await create(...args)
    if (typeof args[0] === 'string') files.set(session, args[0])
    return session
  }
}

/** Milliseconds spent in `session.run` since the process started. */
export function ortMilliseconds(): number {
  return total
}

/** Records every run made while `work` runs. */
export async function recordRuns<T>(work: () => Promise<T>): Promise<{ result: T; runs: RecordedRun[] }> {
  const runs: RecordedRun[] = []
  recording = runs
  try {
    return { result: await work(), runs }
  } finally {
    recording = undefined
  }
}
