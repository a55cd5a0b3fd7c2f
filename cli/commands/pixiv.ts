import type { Command } from 'commander'
import { fetchPixivMetadata } from '../../workers/pixiv/fetch-pixiv-metadata'
import { readConfig, withInterruptibleContext, type GlobalOptions } from '../context'
import { createProgressBar, log, printJson } from '../output'
import { parseCount } from '../parse-options'

interface PixivOptions extends GlobalOptions {
  limit?: string
  retryFailed?: boolean
}

export function registerPixiv(program: Command): void {
  program
    .command('pixiv')
    .description('fetch pixiv metadata (title, counts, tags, user name) for pixiv images without it, then share user names')
    .option('--limit <n>', 'at most this many works')
    .option('--retry-failed', 'also ask again about works pixiv answered deleted or restricted')
    .action(async (options: PixivOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const limit = options.limit === undefined ? undefined : parseCount(options.limit, '--limit', 1, 10_000_000)
      const config = readConfig(global)
      const progress = createProgressBar()
      await withInterruptibleContext(global, config, async (ctx, signal) => {
        const summary = await fetchPixivMetadata(ctx, {
          limit,
          retryFailed: options.retryFailed,
          signal,
          onProgress: ({ total, done, last }) => {
            if (last && last.outcome.status !== 'ok') log(`pixiv ${last.illustid}: ${last.outcome.status} (${last.outcome.message})`)
            progress.update('pixiv', done, total)
          },
        })
        progress.end()
        if (summary.interrupted) log('pixiv: interrupted; run it again to go on')
        if (global.json) printJson(summary)
        else log(`${summary.done} of ${summary.works} works: ${summary.ok} ok, ${summary.deleted} deleted, ${summary.restricted} restricted, ${summary.failed} failed (${summary.requests} requests); ${summary.propagated} ${summary.propagated === 1 ? 'image' : 'images'} got a user name`)
        if (summary.interrupted) process.exitCode = 130
      })
    })
}
