import type { Command } from 'commander'
import { PROMPT_SEARCH, searchPrompts } from '../../server/search/search-prompts'
import { FullTextQueryError } from '../../server/store/full-text-query-error'
import { withContext, type GlobalOptions } from '../context'
import { log, printJson } from '../output'
import { parseCount } from '../parse-options'

interface PromptsOptions extends GlobalOptions {
  limit: string
  offset: string
}

/** One line of text: the prompt's line breaks and runs of spaces folded, cut at `max` characters. */
function oneLine(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

export function registerPrompts(program: Command): void {
  program
    .command('prompts')
    .description('full-text search over the AI-generation prompts (SQLite FTS5 query syntax)')
    .argument('<query>', 'e.g. masterpiece, "long hair", cat NOT dog, negative: blurry (see docs/http-api.md#get-apipromptssearch)')
    .option('--limit <n>', `results (1-${PROMPT_SEARCH.maxLimit})`, String(PROMPT_SEARCH.defaultLimit))
    .option('--offset <n>', 'results to skip', '0')
    .action(async (query: string, options: PromptsOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const limit = parseCount(options.limit, '--limit', 1, PROMPT_SEARCH.maxLimit)
      const offset = parseCount(options.offset, '--offset', 0, PROMPT_SEARCH.maxOffset)
      const page = await withContext(global, (ctx) => searchPrompts(ctx.store, { query, limit, offset })).catch((error: unknown) => {
        throw error instanceof FullTextQueryError ? new FullTextQueryError(`query: ${error.message}`, error.hint) : error
      })
      if (global.json) return printJson(page)
      log(`${page.total} images`)
      for (const hit of page.results) process.stdout.write(`${hit.id}\t${hit.score.toPrecision(4)}\t${hit.folder}/${hit.path}\t${oneLine(hit.prompt)}\n`)
    })
}
