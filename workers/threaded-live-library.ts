import { Worker } from 'node:worker_threads'
import type { FolderConfig, SagasuConfig } from '../config/schema'
import type { ImportRunProgress, UnsavedFiles, WatchReport } from '../shared/types/api'
import type { FromLiveLibraryThread, LiveLibraryCall, LiveLibraryThreadData, ToLiveLibraryThread } from './live-library-messages'
import { liveLibraryThreadFiles } from './live-library-thread-files'
import type { LiveLibrary, LiveLibraryOptions } from './watcher'

/** A thread that dies this many times within RESTART_WINDOW_MS is not started again by itself. */
const MAX_RESTARTS = 3
const RESTART_WINDOW_MS = 60_000
/**
 * How long close() waits for the thread to reach a safe point and close its store before ending it.
 * Ending it loses nothing: its jobs are persisted (claimed by this process, which is ending, so the
 * next start takes them back) and a chunk's records are saved in one transaction.
 */
const CLOSE_GRACE_MS = 2000

export interface ThreadedLiveLibraryOptions extends LiveLibraryOptions {
  log: (message: string) => void
  /** The better-sqlite3 addon file the server has loaded (embedded profile): the thread opens its database with it. */
  sqliteAddon?: string
  /** Restarts allowed within a minute before the library stops and says so (default 3). */
  maxRestarts?: number
  /** How long close() lets the thread finish before ending it (default 2 s). */
  closeGraceMs?: number
  /** Receives each thread when it starts (tests end one to prove the library recovers). */
  onThread?: (thread: Worker) => void
}

/**
 * The live library of `startLiveLibrary()` run in a worker thread of the server with its own store
 * connection, behind the same `LiveLibrary` interface. The server's event loop answers searches
 * (synchronous SQLite work) while the import's awaits run on the thread's own loop, so neither waits
 * behind the other. A thread that dies is reported (log, and the import's `error` on the jobs page)
 * and started again — its first full import picks up the persisted jobs — up to `maxRestarts` times a
 * minute; then the library stays stopped, says why, and the next `importNow()` starts it again.
 *
 * `config` is the server's own configuration object: `addFolder()` appends to its folder list (the
 * routes serve files of the folders it lists) and a restarted thread starts from it.
 */
export function startThreadedLiveLibrary(config: SagasuConfig, options: ThreadedLiveLibraryOptions): LiveLibrary {
  const files = liveLibraryThreadFiles()
  const { log } = options
  const maxRestarts = options.maxRestarts ?? MAX_RESTARTS
  let thread: Worker | undefined
  let closing = false
  let progress: ImportRunProgress | null = null
  let unsaved: UnsavedFiles | undefined
  let watch: WatchReport | undefined
  /** Changes applied by the threads that ended: the count the health report gives only grows. */
  let appliedBefore = 0
  let restarts: number[] = []
  let nextId = 1
  const pending = new Map<number, () => void>()
  let markReady!: () => void
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  let exited: Promise<void> = Promise.resolve()

  const settlePending = () => {
    for (const resolve of pending.values()) resolve()
    pending.clear()
  }

  /** Starts a thread; resolves when its first full import is done, or it ended. */
  const start = (): Promise<void> => {
    let firstImport!: () => void
    const imported = new Promise<void>((resolve) => (firstImport = resolve))
    const data: LiveLibraryThreadData = { entry: files.entry, config, ...(options.configFile ? { configFile: options.configFile } : {}), ...(options.sqliteAddon ? { sqliteAddon: options.sqliteAddon } : {}) }
    const current = new Worker(files.bootstrap, { workerData: data, name: 'sagasu live library' })
    thread = current
    options.onThread?.(current)
    let failure: Error | undefined
    let closed = false
    current.on('message', (message: FromLiveLibraryThread) => {
      switch (message.type) {
        case 'ready': markReady(); firstImport(); break
        case 'progress': progress = message.progress; break
        case 'unsaved': unsaved = message.unsaved; break
        case 'watch': watch = message.watch; break
        case 'changes': options.afterChanges?.(); break
        case 'log': log(message.message); break
        case 'done': pending.get(message.id)?.(); pending.delete(message.id); break
        case 'closed': closed = true; break
      }
    })
    current.on('error', (error) => {
      failure = error
    })
    exited = new Promise((resolve) => current.once('exit', (code) => {
      if (thread === current) thread = undefined
      resolve()
      firstImport()
      if (closing || closed) return
      died(failure ? failure.message : `exit code ${code}`)
    }))
    return imported
  }

  const died = (why: string) => {
    unsaved = undefined
    appliedBefore += watch?.changesApplied ?? 0
    watch = undefined
    const message = `the import thread stopped (${why})`
    // The work of the calls in flight is not lost: their jobs are persisted and the next thread's full import runs them.
    settlePending()
    const now = Date.now()
    restarts = [...restarts.filter((at) => now - at < RESTART_WINDOW_MS), now]
    const again = restarts.length <= maxRestarts
    const stopped = again ? undefined : `${message}; it stopped ${restarts.length === 1 ? 'once' : `${restarts.length} times`} within a minute, so the folders are not imported or watched now: see the server log, then press "Import now" (POST /api/import) or restart the server`
    log(stopped ?? `${message}; starting it again`)
    const base: ImportRunProgress = progress ?? { running: false, phase: 'done', done: 0, total: 0, rate: 0, startedAt: now, finishedAt: null, counts: null, error: null }
    progress = { ...base, running: false, phase: 'done', finishedAt: base.finishedAt ?? now, error: stopped ?? `${message}; started again` }
    if (again) void start()
    // Nothing waits forever on a library that stopped.
    else markReady()
  }

  const call = (request: LiveLibraryCall): Promise<void> => {
    if (closing) return Promise.resolve()
    if (!thread) {
      // Stopped after too many deaths: a request from the user is the moment to try again.
      restarts = []
      const imported = start()
      // A fresh thread runs a full import of every configured folder at start, which is what
      // importNow and addFolder ask for; a retried file gets its job through the thread.
      if (request.method !== 'reindex') return imported
    }
    const id = nextId++
    return new Promise<void>((resolve) => {
      pending.set(id, resolve)
      thread!.postMessage({ type: 'call', id, call: request } satisfies ToLiveLibraryThread)
    })
  }

  void start()

  return {
    ready,
    importNow: () => call({ method: 'importNow' }),
    reindex: (folder, path) => call({ method: 'reindex', folder, path }),
    addFolder(folder: FolderConfig) {
      if (closing) return Promise.resolve()
      // The server's list: file routes serve the new folder, and a restarted thread imports and watches it.
      if (!config.folders.some(({ name }) => name === folder.name)) config.folders.push(folder)
      return call({ method: 'addFolder', folder })
    },
    // After a death `progress` carries the report (died() sets it), until the next thread posts its own.
    importProgress: () => (progress ? { ...progress } : null),
    // A thread that died took its list along; the next one's full import finds those files again.
    unsavedFiles: () => unsaved,
    // Until a thread reports, every folder is being set up.
    watchReport: () => ({
      state: watch?.state ?? 'starting',
      folders: watch?.folders ?? config.folders.map(({ name }) => ({ folder: name, mode: 'events' as const })),
      changesApplied: appliedBefore + (watch?.changesApplied ?? 0),
    }),
    async close() {
      if (closing) return exited
      closing = true
      const current = thread
      if (current) {
        current.postMessage({ type: 'close' } satisfies ToLiveLibraryThread)
        const graceMs = options.closeGraceMs ?? CLOSE_GRACE_MS
        const timer = setTimeout(() => {
          log(`the import thread was still busy ${graceMs / 1000} s after the stop; ending it (its unfinished files stay queued for the next start)`)
          void current.terminate()
        }, graceMs)
        await exited
        clearTimeout(timer)
      }
      settlePending()
      markReady()
    },
  }
}
