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
      // A transient failure (disk full …) is marked: the next import retries it without --retry-errors.
      for (const error of errors) process.stdout.write(`${error.level}${error.transient ? ' (transient)' : ''}\t${error.stage}\t${error.folder}/${error.path}\t${error.reason}\n`)
      const transient = errors.filter((error) => error.transient).length
      const retried = transient ? ` (${transient} transient: the next import tries them again)` : ''
      process.stderr.write(`${errors.length} error records${retried}; run "sagasu import --retry-errors" to try them all again\n`)
    })
}
