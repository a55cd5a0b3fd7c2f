import type { Command } from 'commander'
import { withContext, type GlobalOptions } from '../context'
import { printJson } from '../output'

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('counts of the index')
    .action(async (_options: GlobalOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>()
      const stats = await withContext(global, (ctx) => ctx.store.stats())
      if (global.json) return printJson(stats)
      process.stdout.write(`${stats.images} images, ${(stats.bytes / 1024 / 1024).toFixed(1)} MiB\n`)
      for (const [type, n] of Object.entries(stats.byType)) process.stdout.write(`  ${type.padEnd(8)} ${n}\n`)
      process.stdout.write(`  with AI parameters ${stats.withAiParameters}\n  errors ${stats.errors}, jobs waiting ${stats.pendingJobs}\n`)
    })
}
