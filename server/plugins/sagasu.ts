import { defineNitroPlugin } from 'nitropack/runtime'
import { loadConfig } from '../../config/load-config'
import { startApp, stopApp } from '../app-context'
import { bindProblem } from '../services/auth'
import { beginShutdown } from '../services/shutdown'

/** Starts the store and the live library with the server; refuses an open server without a token. */
export default defineNitroPlugin((nitroApp) => {
  const { config } = loadConfig({ file: process.env.SAGASU_CONFIG, dataDir: process.env.SAGASU_DATA_DIR })
  const host = process.env.NITRO_HOST || process.env.HOST || ''
  // Nitro listens on every interface when no host is given; Sagasu's default is loopback only.
  if (!host) process.env.NITRO_HOST = config.server.host
  const problem = bindProblem(process.env.NITRO_HOST || config.server.host, config.server.token)
  if (problem) {
    process.stderr.write(`sagasu: ${problem}\n`)
    process.exit(2)
  }
  startApp().catch((error: unknown) => {
    // Without the store or the live library's thread the server would answer every route with a 500.
    process.stderr.write(`sagasu: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  })
  // The stop starts at the signal, while Nitro still lets open requests finish, not after: the
  // import thread and the model stages are the slow part, and event streams end at once.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      beginShutdown()
      const stopped = stopApp()
      // Nitro's own handler ends the process; without it (NITRO_SHUTDOWN_DISABLED) this one must.
      if (!process.listenerCount(signal)) void stopped.finally(() => process.exit(0))
    })
  }
  nitroApp.hooks.hook('close', () => stopApp())
})
