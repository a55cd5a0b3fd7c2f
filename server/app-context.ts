import { loadConfig } from '../config/load-config'
import type { SagasuConfig } from '../config/schema'
import { ensureDemoLibrary } from '../workers/demo-library'
import type { PipelineContext } from '../workers/pipeline-context'
import { startModelWorker, type ModelWorker } from '../workers/model-worker'
import { startThreadedLiveLibrary } from '../workers/threaded-live-library'
import type { LiveLibrary } from '../workers/watcher'
import { recreateThumbnail } from '../workers/recreate-thumbnail'
import { settleWithin } from '../workers/settle-within'
import { currentWorkerId } from '../workers/worker-id'
import { createModelDownloads, type ModelDownloads } from './services/model-downloads'
import { createPixivJob, type PixivJob } from '../workers/pixiv/pixiv-job'
import type { SearchContext } from './search/search-images'
import { searchContextFor } from './search/search-context'
import { loadedSqliteAddons } from './store/embedded/sqlite-addon'
import { openStore } from './store/open-store'
import type { Store } from './store/store'

export interface SagasuApp {
  config: SagasuConfig
  /** The configuration file read at start-up (settings are written back to it); none without one. */
  configFile?: string
  store: Store
  library?: LiveLibrary
  /** Runs the model stages (tagger, CLIP, OCR) in the background over what imports add. */
  models: ModelWorker
  /** The background pixiv metadata run (POST /api/pixiv/fetch). */
  pixiv: PixivJob
  /** Model downloads started from the settings page. */
  downloads: ModelDownloads
  /** What CLIP search can use now (the encoder, or why there is none). */
  searchContext: SearchContext
  /** Set when the configuration is a generated demo. */
  demo: boolean
  /** Makes a missing thumbnail again from an original with this content hash (the pipeline's thumbnail stage); false when none is left. */
  recreateThumbnail(hash: string): Promise<boolean>
}

let app: Promise<SagasuApp> | undefined

function log(message: string): void {
  process.stderr.write(`[sagasu] ${message}\n`)
}

/**
 * Starts the server's side of Sagasu: configuration (from the file and the environment the CLI
 * passes), the store, and the live library that keeps the index in step with the folders.
 */
export function startApp(): Promise<SagasuApp> {
  app ??= createApp()
  return app
}

async function createApp(): Promise<SagasuApp> {
  const { config, file: configFile } = loadConfig({ file: process.env.SAGASU_CONFIG, dataDir: process.env.SAGASU_DATA_DIR })
  const demo = config.folders.length === 0
  if (demo) config.folders = [await ensureDemoLibrary(config.dataDir, log)]
  const store = openStore(config, { longRunning: true, log })
  // A servers-profile backend that is down is reported by each request (503); start-up goes on.
  store.warmUp().catch((error: unknown) => log(`store not ready: ${error instanceof Error ? error.message : String(error)}`))
  const ctx: PipelineContext = { config, store, worker: currentWorkerId(), log }
  const models = startModelWorker(ctx)
  const started: SagasuApp = { config, configFile, store, demo, pixiv: createPixivJob(ctx), models, downloads: createModelDownloads(config), searchContext: searchContextFor(config), recreateThumbnail: (hash) => recreateThumbnail({ config, store }, hash) }
  // With watching off (--no-watch, watch.enabled: false) the server only serves the index as it is.
  // The live library runs in a worker thread with its own store connection: searches are synchronous
  // SQLite work on this event loop, and the import's every await would otherwise wait behind them.
  if (config.watch.enabled) {
    // The thread must load the very SQLite this process has (two copies break its file locking).
    const [sqliteAddon] = config.store.profile === 'embedded' ? loadedSqliteAddons() : []
    started.library = startThreadedLiveLibrary(config, { log, afterChanges: () => models.kick(), ...(configFile ? { configFile } : {}), ...(sqliteAddon ? { sqliteAddon } : {}) })
    started.library.ready.then(() => log('library up to date'), (error: unknown) => log(`first import failed: ${String(error)}`))
  }
  return started
}

/** The running app (waiting for start-up to finish); routes call this. */
export function useApp(): Promise<SagasuApp> {
  return startApp()
}

/** How long the work in progress gets to reach a safe point when the server stops. */
const STOP_GRACE_MS = 2000

let stopping: Promise<void> | undefined

/**
 * Stops the app within a few seconds whatever it is doing: the import thread and the model stages
 * are asked to stop, given STOP_GRACE_MS, then left behind (the thread ended); what they had not
 * finished stays in the persisted queues for the next start. Called at the signal and again by
 * Nitro's close hook: one stop.
 */
export function stopApp(): Promise<void> {
  stopping ??= stopNow().finally(() => {
    stopping = undefined
  })
  return stopping
}

async function stopNow(): Promise<void> {
  // A start-up that failed has nothing to stop (the plugin ends the process with its reason).
  const current = await app?.catch(() => undefined)
  app = undefined
  if (!current) return
  await Promise.all([
    settleWithin(current.pixiv.stop(), STOP_GRACE_MS),
    current.library?.close(),
    current.models.close(STOP_GRACE_MS),
  ])
  await current.store.close()
}
