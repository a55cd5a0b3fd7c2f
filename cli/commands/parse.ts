import type { Command } from 'commander'
import { parseSearch } from '../../server/search/search-images'
import { compileMongoFilter, compileMongoSort } from '../../server/store/servers/mongo-filter'
import type { GlobalOptions } from '../context'
import { printJson } from '../output'

interface ParseOptions extends GlobalOptions {
  sort?: string
}

export function registerParse(program: Command): void {
  program
    .command('parse')
    .description('show how a query is understood: its syntax tree and the MongoDB filter it compiles to')
    .argument('<query>', 'the query text')
    .option('-s, --sort <sort>', 'sort keys, e.g. filesize;1')
    .action((query: string, options: ParseOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const parsed = parseSearch(query, options.sort)
      const result = { ast: parsed.query, mongo: { filter: compileMongoFilter(parsed.query), sort: compileMongoSort(parsed.sort) } }
      if (global.json) printJson(result)
      else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    })
}
