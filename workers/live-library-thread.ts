import { parentPort, workerData } from 'node:worker_threads'
import { loadedSqliteAddons } from '../server/store/embedded/sqlite-addon'
import { openStore } from '../server/store/open-store'
import type { FromLiveLibraryThread, LiveLibraryThreadData, ToLiveLibraryThread } from './live-library-messages'
import type { PipelineContext } from './pipeline-context'
import { startLiveLibrary } from './watcher'
import { currentWorkerId, isWorkerAlive } from './worker-id'

/**
 * The live library inside the server's worker thread (started by `threaded-live-library.ts` through
 * `live-library-thread.mjs`): its own event loop and its own store connection, so searches running
 * synchronous SQLite work on the server's loop cannot hold back the import's every await.
 */
const port = parentPort
if (!port) throw new Error('workers/live-library-thread.ts runs as a worker thread of `sagasu serve`')
const { config, sqliteAddon, configFile } = workerData as LiveLibraryThreadData
const send = (message: FromLiveLibraryThread) => port.postMessage(message)
const log = (message: string) => send({ type: 'log', message })

const store = openStore(config, { log, ...(sqliteAddon ? { sqliteAddon } : {}) })
if (config.store.profile === 'embedded') {
  // Opening loaded the addon: two copies of SQLite in one process break its locking (sqlite-addon.ts).
  const addons = loadedSqliteAddons()
  if (addons.length > 1) throw new Error(`two copies of SQLite are loaded (${addons.join(', ')}): the import thread must open the index with the server's own`)
}
const ctx: PipelineContext = { config, store, worker: currentWorkerId(), log }
// The thread shares the process's worker id. A thread that died before this one left its claimed jobs
// "running" under that id, and only this thread claims file jobs in the process: take them back now
// rather than after their lease.
// A store that is down (the servers profile) must not end the thread: the import reports it, and the
// jobs come back when their lease runs out.
await store.releaseJobs((worker) => worker !== ctx.worker && isWorkerAlive(worker))
  .catch((error: unknown) => log(`live library: the jobs of an earlier import thread stay claimed until their lease ends: ${error instanceof Error ? error.message : String(error)}`))
const library = startLiveLibrary(ctx, { afterChanges: () => send({ type: 'changes' }), ...(configFile ? { configFile } : {}) })

let sent = ''
let sentUnsaved = ''
let sentWatch = ''
/** Posts the import's progress and unsaved files when they changed; the server never asks the thread. */
const sendProgress = () => {
  const progress = library.importProgress()
  const key = JSON.stringify(progress)
  if (key !== sent) {
    sent = key
    send({ type: 'progress', progress })
  }
  const unsaved = library.unsavedFiles()
  const unsavedKey = JSON.stringify(unsaved ?? null)
  if (unsavedKey !== sentUnsaved) {
    sentUnsaved = unsavedKey
    send({ type: 'unsaved', unsaved })
  }
  const watch = library.watchReport()
  const watchKey = JSON.stringify(watch)
  if (watchKey !== sentWatch) {
    sentWatch = watchKey
    send({ type: 'watch', watch })
  }
}
const ticker = setInterval(sendProgress, 100)
void library.ready.then(() => {
  sendProgress()
  send({ type: 'ready' })
})

port.on('message', (message: ToLiveLibraryThread) => {
  if (message.type === 'close') {
    clearInterval(ticker)
    void (async () => {
      await library.close()
      sendProgress()
      await store.close()
      send({ type: 'closed' })
      port.close()
    })()
    return
  }
  const { id, call } = message
  const work = call.method === 'importNow' ? library.importNow()
    : call.method === 'reindex' ? library.reindex(call.folder, call.path)
      : library.addFolder(call.folder)
  void work.catch((error: unknown) => log(`live library: ${error instanceof Error ? error.stack ?? error.message : String(error)}`)).then(() => {
    sendProgress()
    send({ type: 'done', id })
  })
})
