import type { Command } from 'commander'
import { reparseSources, writeFingerprint } from '../../workers/reparse'
import { withInterruptibleContext, readConfig, type GlobalOptions } from '../context'
import { createProgressBar, printJson } from '../output'

/**
 * `sagasu reparse`: the name fields of every image derived again from its path (templates, then
 * built-in layouts), without reading a file.
 */
export function registerReparse(program: Command): void {
  program
    .command('reparse')
    .description('derive the file-name fields (source, ids, user, page, tags) of every image again from its path, with the current `filenames` templates and built-in layouts; reads no file')
    .action(async (_options: unknown, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>()
      const config = readConfig(global)
      const bar = createProgressBar()
      const { counts, interrupted } = await withInterruptibleContext(global, config, async (ctx, signal) => {
        const counts = await reparseSources(ctx, { signal, onProgress: (now) => bar.update('reparse', now.checked, 0) })
        if (!signal.aborted) await writeFingerprint(config)
        return { counts, interrupted: signal.aborted }
      })
      bar.end()
      if (global.json) printJson({ ...counts, interrupted })
      else process.stdout.write(`${counts.checked} images checked, ${counts.changed} changed${interrupted ? ' (interrupted)' : ''}\n`)
      if (interrupted) process.exitCode = 130
    })
}
