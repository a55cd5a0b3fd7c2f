import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { searchContextFor } from '../../server/search/search-context'
import { searchImages } from '../../server/search/search-images'
import { withContext, type GlobalOptions } from '../context'
import { UsageError } from '../errors'
import { log, printJson } from '../output'
import { parseCount } from '../parse-options'

interface SearchOptions extends GlobalOptions {
  query?: string
  sort?: string
  limit: string
  offset: string
  cursor?: string
  text?: string
  image?: string
  similar?: string
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
    .option('--text <text>', 'rank by CLIP similarity to this text (like clip:"…")')
    .option('--image <file>', 'rank by CLIP similarity to this image file')
    .option('--similar <id>', 'rank by CLIP similarity to this indexed image (like similar:ID)')
    .action(async (options: SearchOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const limit = parseCount(options.limit, '--limit', 1, 500)
      const offset = parseCount(options.offset, '--offset', 0, Number.MAX_SAFE_INTEGER)
      const similar = options.similar === undefined ? undefined : parseCount(options.similar, '--similar', 1, Number.MAX_SAFE_INTEGER)
      const image = options.image === undefined ? undefined : await readFile(options.image).catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`--image: cannot read ${options.image} (${error.code ?? error.message})`)
      })
      // --similar is the similar: clause, so the query text, the cursor and the server all agree on it.
      const query = similar === undefined ? options.query : [`similar:${similar}`, options.query].filter(Boolean).join(', ')
      const page = await withContext(global, async (ctx) => searchImages(
        ctx.store,
        { query, sort: options.sort, limit, offset, cursor: options.cursor, ...(options.text !== undefined ? { text: options.text } : {}), ...(image ? { image } : {}) },
        searchContextFor(ctx.config),
      ))
      if (global.json) return printJson(page)
      log(`${page.total} images`)
      for (const found of page.results) {
        process.stdout.write(`${found.id}\t${found.folder}/${found.path}\t${found.width}×${found.height}${found.score === undefined ? '' : `\t${found.score.toFixed(4)}`}\n`)
      }
    })
}
