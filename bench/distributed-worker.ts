// One `sagasu worker` process for bench/distributed.bench.ts, with onnxruntime held to `--threads`
// intra- and inter-op threads: every InferenceSession this process creates gets them (the product
// has no thread setting on this branch). Prints the CLI's --json summary on stdout, then on stderr
// `cpu <s> inference-cpu <s> runs <n>`: this process's CPU seconds (user + system), those from its
// first inference on, and its session.run calls.
// Usage: node bin/run-ts.mjs bench/distributed-worker.ts --threads 1 -- <sagasu arguments…>
import { parseArgs } from 'node:util'
import * as ort from 'onnxruntime-node'
import { main } from '../cli/main'

const split = process.argv.indexOf('--')
const { values } = parseArgs({ args: process.argv.slice(2, split < 0 ? undefined : split), options: { threads: { type: 'string', default: '1' } } })
const threads = Number(values.threads)
if (!Number.isInteger(threads) || threads < 1) throw new Error('--threads must be a whole number ≥ 1')

type Create = (...args: unknown[]) => Promise<unknown>
const session = ort.InferenceSession as unknown as { create: Create }
const create = session.create.bind(ort.InferenceSession)
session.create = (...args: unknown[]) => {
  // create(path | bytes, options?) or create(bytes, offset, length, options?): the options are the last object argument.
  const last = args.at(-1)
  const hasOptions = args.length > 1 && typeof last === 'object' && last !== null && !ArrayBuffer.isView(last)
  const options = { ...(hasOptions ? last as object : {}), intraOpNumThreads: threads, interOpNumThreads: 1 }
  return create(...(hasOptions ? [...args.slice(0, -1), options] : [...args, options]))
}

// CPU time from the first inference on (what the images cost, without start-up and model loading).
let firstRun: NodeJS.CpuUsage | undefined
let runs = 0
const prototype = (ort.InferenceSession as unknown as { prototype: { run: (...args: unknown[]) => Promise<unknown> } }).prototype
const run = prototype.run
prototype.run = function countedRun(this: unknown, ...args: unknown[]) {
  firstRun ??= process.cpuUsage()
  runs++
  return run.apply(this, args)
}

process.exitCode = await main(split < 0 ? [] : process.argv.slice(split + 1))
const seconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6
process.stderr.write(`cpu ${seconds(process.cpuUsage()).toFixed(2)} inference-cpu ${firstRun ? seconds(process.cpuUsage(firstRun)).toFixed(2) : '0'} runs ${runs}\n`)
