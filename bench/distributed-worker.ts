// One `sagasu worker` process for bench/distributed.bench.ts (its threads come from the config's
// `models.threads`). Prints the CLI's --json summary on stdout, then on stderr
// `cpu <s> inference-cpu <s> runs <n>`: this process's CPU seconds (user + system), those from its
// first inference on, and its session.run calls.
// Usage: node bin/run-ts.mjs bench/distributed-worker.ts -- <sagasu arguments…>
import * as ort from 'onnxruntime-node'
import { main } from '../cli/main'

const split = process.argv.indexOf('--')

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
