import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { NginxPathError, renderNginxConf } from '../../config/nginx-conf'
import { readConfig, type GlobalOptions } from '../context'
import { UsageError } from '../errors'
import { log, printJson } from '../output'
import { parseCount } from '../parse-options'

interface NginxConfOptions extends GlobalOptions {
  listen: string
  upstream?: string
  runtimeDir?: string
  output?: string
}

export function registerNginxConf(program: Command): void {
  program
    .command('nginx-conf')
    .description('print an nginx configuration that serves originals and thumbnails from disk and proxies the rest to sagasu serve')
    .option('--listen <port>', 'port (or address:port) nginx listens on', '8080')
    .option('--upstream <host:port>', 'where sagasu serve listens (default server.host:server.port)')
    .option('--runtime-dir <dir>', 'put nginx\'s temporary files and access log here (for an nginx run without root)')
    .option('-o, --output <file>', 'write the configuration to a file instead of stdout')
    .action(async (options: NginxConfOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const config = readConfig(global)
      const listen = parseListen(options.listen)
      const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host
      const upstream = options.upstream ?? `${host === '0.0.0.0' ? '127.0.0.1' : host}:${config.server.port}`
      if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(upstream)) throw new UsageError(`--upstream must be host:port, got "${upstream}"`)
      if (!config.folders.length) throw new UsageError('no folders are configured: add them to the configuration file first (nginx serves them)')
      let text: string
      try {
        text = renderNginxConf({ folders: config.folders, dataDir: config.dataDir, upstream, listen, ...(options.runtimeDir ? { runtimeDir: resolve(options.runtimeDir) } : {}) })
      } catch (error) {
        if (error instanceof NginxPathError) throw new UsageError(error.message)
        throw error
      }
      if (options.output) {
        await writeFile(options.output, text, 'utf8')
        if (global.json) return printJson({ file: resolve(options.output), folders: config.folders.map((folder) => folder.name), upstream, listen })
        log(`wrote ${options.output}; check it with: nginx -t -c ${resolve(options.output)}`)
        return
      }
      if (global.json) return printJson({ conf: text, folders: config.folders.map((folder) => folder.name), upstream, listen })
      process.stdout.write(text)
    })
}

function parseListen(text: string): string {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d{1,5})$/.exec(text.trim())
  if (!match) throw new UsageError(`--listen must be a port or address:port, got "${text}"`)
  parseCount(match[2]!, '--listen port', 1, 65535)
  return text.trim()
}
