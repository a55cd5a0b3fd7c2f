import type { Command } from 'commander'
import { runWorker } from '../../workers/worker-loop'
import { readConfig, withInterruptibleContext, type GlobalOptions } from '../context'
import { log, printJson } from '../output'
import { parseCount } from '../parse-options'
import { parseWorkerStages, workerModelStages } from '../worker-stages'

interface WorkerOptions extends GlobalOptions {
  concurrency?: string
  once?: boolean
  stages?: string
  chunk?: string
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('process queued file jobs and/or model work until stopped (servers profile: several machines share one import)')
    .option('--stages <list>', 'what to work on, comma-separated: files (queued file jobs), tag, embed, ocr (model stages)', 'files')
    .option('--concurrency <n>', 'files processed at once')
    .option('--chunk <n>', 'images a model stage leases at once (default 32)')
    .option('--once', 'stop when nothing is left to take instead of waiting for more')
    .action(async (options: WorkerOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const names = parseWorkerStages(options.stages ?? 'files')
      const chunk = options.chunk === undefined ? undefined : parseCount(options.chunk, '--chunk', 1, 1024)
      const config = readConfig(global)
      const concurrency = options.concurrency === undefined ? config.import.concurrency : parseCount(options.concurrency, '--concurrency', 1, 64)
      const stages = workerModelStages(config, names)
      let abandoned = false
      await withInterruptibleContext(global, config, async (ctx, signal) => {
        if (!global.json) log(`worker ${ctx.worker}: taking ${names.map((name) => (name === 'files' ? 'file jobs' : name)).join(', ')} from the ${config.store.profile} store`)
        const summary = await runWorker(ctx, {
          concurrency, signal, files: names.includes('files'), stages, ...(chunk ? { chunk } : {}), ...(options.once ? { once: true } : {}),
        })
        abandoned = summary.abandoned === true
        if (!abandoned) for (const { stage } of stages) await stage.unload()
        const disabled = Object.entries(summary.stages ?? {}).filter(([, stage]) => stage.disabled)
        if (disabled.length) process.exitCode = 1
        if (global.json) printJson(summary)
        else {
          if (names.includes('files')) log(`worker stopped: ${summary.processed} files (${Object.entries(summary.byOutcome).map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'none'})`)
          for (const [name, stage] of Object.entries(summary.stages ?? {})) {
            log(`${name}: ${stage.processed} images${stage.failed ? ` (${stage.failed} failed)` : ''}${stage.disabled ? `; could not run: ${stage.disabled}` : ''}`)
          }
        }
      })
      // A stop caught a model chunk inside onnxruntime, which cannot be interrupted: its leases are
      // released already, so ending now loses only that chunk's unfinished inference.
      if (abandoned) process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0)
    })
}
