import type { Command } from 'commander'
import { runWorker } from '../../workers/worker-loop'
import { readConfig, withInterruptibleContext, type GlobalOptions } from '../context'
import { log, printJson } from '../output'
import { parseCount } from '../parse-options'

interface WorkerOptions extends GlobalOptions {
  concurrency?: string
  once?: boolean
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('process queued file jobs until stopped (servers profile: several machines share one import)')
    .option('--concurrency <n>', 'files processed at once')
    .option('--once', 'stop when the queue is empty instead of waiting for more')
    .action(async (options: WorkerOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const config = readConfig(global)
      const concurrency = options.concurrency === undefined ? config.import.concurrency : parseCount(options.concurrency, '--concurrency', 1, 64)
      await withInterruptibleContext(global, config, async (ctx, signal) => {
        if (!global.json) log(`worker ${ctx.worker}: taking file jobs from the ${config.store.profile} store`)
        const summary = await runWorker(ctx, { concurrency, signal, ...(options.once ? { once: true } : {}) })
        if (global.json) printJson(summary)
        else log(`worker stopped: ${summary.processed} files (${Object.entries(summary.byOutcome).map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'none'})`)
      })
    })
}
