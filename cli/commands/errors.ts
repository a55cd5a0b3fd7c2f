import type { Command } from 'commander'
import { withContext, type GlobalOptions } from '../context'
import { printJson } from '../output'

export function registerErrors(program: Command): void {
  program
    .command('errors')
    .description('files that could not be indexed, and why')
    .action(async (_options: GlobalOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>()
      const errors = await withContext(global, (ctx) => ctx.store.listErrors())
      if (global.json) return printJson({ total: errors.length, errors })
      for (const error of errors) process.stdout.write(`${error.level}\t${error.stage}\t${error.folder}/${error.path}\t${error.reason}\n`)
      process.stderr.write(`${errors.length} error records; run "sagasu import --retry-errors" to try them again\n`)
    })
}
