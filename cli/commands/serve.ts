import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import { bindProblem } from '../../server/services/auth'
import { readConfig, type GlobalOptions } from '../context'
import { UsageError } from '../errors'
import { parseCount } from '../parse-options'

interface ServeOptions extends GlobalOptions {
  host?: string
  port?: string
  watch: boolean
}

const SERVER_ENTRY = fileURLToPath(new URL('../../.output/server/index.mjs', import.meta.url))
/** The checkout: the server's import thread runs its TypeScript sources (workers/live-library-thread-files.ts). */
const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the web app and API, keeping the index in step with the folders')
    .option('--host <host>', 'address to listen on (default server.host, 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default server.port, 3000)')
    .option('--no-watch', 'do not import or watch folders; only serve the index')
    .action(async (options: ServeOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const config = readConfig(global)
      const host = options.host ?? config.server.host
      const port = options.port === undefined ? config.server.port : parseCount(options.port, '--port', 0, 65535)
      const problem = bindProblem(host, config.server.token)
      if (problem) throw new UsageError(problem)
      if (!existsSync(SERVER_ENTRY)) throw new UsageError('the web app is not built yet: run "npm run build" first')
      // The built server reads its settings from the environment (see server/plugins/sagasu.ts).
      Object.assign(process.env, {
        NITRO_HOST: host,
        NITRO_PORT: String(port),
        SAGASU_DATA_DIR: config.dataDir,
        SAGASU_ROOT: process.env.SAGASU_ROOT || ROOT,
        // --no-watch turns watching off; otherwise watch.enabled from the config decides.
        ...(options.watch ? {} : { SAGASU_WATCH: 'false' }),
        ...(global.config ? { SAGASU_CONFIG: global.config } : {}),
        // Nitro waits this long for open requests at a stop, and as long again for the app to close
        // (its default, 30 s each, made a busy server take a minute to end); the app's own stop is
        // bounded by a few seconds (server/app-context.ts).
        NITRO_SHUTDOWN_TIMEOUT: process.env.NITRO_SHUTDOWN_TIMEOUT || '5000',
      })
      process.stderr.write(`sagasu: serving on http://${host.includes(':') ? `[${host}]` : host}:${port}\n`)
      await import(SERVER_ENTRY)
    })
}
