import { Command, CommanderError } from 'commander'
import { ConfigError } from '../config/load-config'
import { QueryError } from '../server/search/query-error'
import { FullTextQueryError } from '../server/store/full-text-query-error'
import { SAGASU_VERSION } from '../server/version'
import { registerBatches } from './commands/batches'
import { registerErrors } from './commands/errors'
import { registerExportBatches } from './commands/export-batches'
import { registerImport } from './commands/import'
import { registerIndex } from './commands/index'
import { registerNginxConf } from './commands/nginx-conf'
import { registerParse } from './commands/parse'
import { registerPrompts } from './commands/prompts'
import { registerReparse } from './commands/reparse'
import { registerPixiv } from './commands/pixiv'
import { registerSearch } from './commands/search'
import { registerServe } from './commands/serve'
import { registerStats } from './commands/stats'
import { registerWatch } from './commands/watch'
import { registerWorker } from './commands/worker'
import { registerMigrate } from './commands/migrate'
import { UsageError } from './errors'
import { VectorInputError } from '../server/store/vector-input-error'
import { printJson } from './output'

/**
 * The `sagasu` command line: a stable contract. With --json a command prints exactly one JSON
 * document on stdout; exit code 0 on success, 2 on bad input, 1 on other failures.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('sagasu')
    .version(SAGASU_VERSION)
    .description('Sagasu — search engine for your anime-illustration collection')
    .option('--config <file>', 'configuration file (default ./sagasu.config.yaml or $SAGASU_CONFIG)')
    .option('--data-dir <dir>', 'where the index, thumbnails and models live (default .sagasu/)')
    .option('--json', 'print one JSON document on stdout')
    .exitOverride()
    .showHelpAfterError()
  for (const register of [registerImport, registerSearch, registerPrompts, registerParse, registerStats, registerErrors, registerPixiv, registerServe, registerWatch, registerBatches, registerExportBatches, registerIndex, registerNginxConf, registerWorker, registerMigrate, registerReparse]) register(program)
  for (const command of program.commands) {
    command.exitOverride()
    command.showHelpAfterError()
  }
  if (!argv.some((arg) => program.commands.some((command) => command.name() === arg)) && !argv.some((arg) => ['help', '-h', '--help', '-V', '--version'].includes(arg))) {
    program.outputHelp({ error: true })
    return reportFailure(new UsageError(`a command is required: ${program.commands.map((command) => command.name()).join(', ')}`), argv.includes('--json'))
  }
  try {
    await program.parseAsync(argv, { from: 'user' })
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (error) {
    return reportFailure(error, argv.includes('--json'))
  }
}

function reportFailure(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) {
    // --help and --version end through here too, successfully.
    if (error.exitCode === 0) return 0
    if (json) printJson({ error: { message: error.message.replace(/^error: /, '') } })
    return 2
  }
  const badInput = error instanceof UsageError || error instanceof ConfigError || error instanceof QueryError || error instanceof FullTextQueryError || error instanceof VectorInputError
  const message = error instanceof Error ? error.message : String(error)
  if (json) {
    printJson({
      error: {
        message,
        ...(error instanceof QueryError ? { position: error.position, ...(error.hint ? { hint: error.hint } : {}) } : {}),
        ...(error instanceof FullTextQueryError && error.hint ? { hint: error.hint } : {}),
      },
    })
  }
  process.stderr.write(`sagasu: ${message}\n`)
  if (!badInput && error instanceof Error && error.stack && process.env.SAGASU_DEBUG) process.stderr.write(`${error.stack}\n`)
  return badInput ? 2 : 1
}
