import type { Command } from 'commander'
import { searchImages } from '../../server/search/search-images'
import { withContext, type GlobalOptions } from '../context'
import { log, printJson } from '../output'
import { parseCount } from '../parse-options'

interface SearchOptions extends GlobalOptions {
  query?: string
  sort?: string
  limit: string
  offset: string
  cursor?: string
}

export function registerSearch(program: Command): void {
  program
    .command('search')
    .description('search the index')
    .option('-q, --query <query>', 'query, e.g. type;=pixiv,width;>=1920 (see docs/query-language.md)')
    .option('-s, --sort <sort>', 'sort keys, e.g. filesize;1 or date;-1')
    .option('--limit <n>', 'results per page (1-500)', '50')
    .option('--offset <n>', 'results to skip', '0')
    .option('--cursor <cursor>', 'continue after a page: its nextCursor')
    .action(async (options: SearchOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const limit = parseCount(options.limit, '--limit', 1, 500)
      const offset = parseCount(options.offset, '--offset', 0, Number.MAX_SAFE_INTEGER)
      const page = await withContext(global, (ctx) => searchImages(ctx.store, { query: options.query, sort: options.sort, limit, offset, cursor: options.cursor }))
      if (global.json) return printJson(page)
      log(`${page.total} images`)
      for (const image of page.results) process.stdout.write(`${image.id}\t${image.folder}/${image.path}\t${image.width}×${image.height}\n`)
    })
}
