import type { Command } from 'commander'
import { startLiveLibrary } from '../../workers/watcher'
import { openContext, readConfig, type GlobalOptions } from '../context'
import { UsageError } from '../errors'
import { log } from '../output'

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('keep the index in step with the folders, without the web server')
    .action(async (_options: GlobalOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>()
      const config = readConfig(global)
      // Asking for `sagasu watch` is asking to watch, whatever watch.enabled says (it governs `serve`).
      config.watch.enabled = true
      if (!config.folders.length) throw new UsageError('no folders are configured: add them under "folders:" in sagasu.config.yaml')
      const ctx = openContext(global, config)
      const library = startLiveLibrary(ctx)
      await library.ready
      log(`watching ${config.folders.map((f) => f.path).join(', ')}; Ctrl-C to stop`)
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await library.close()
      await ctx.store.close()
    })
}
