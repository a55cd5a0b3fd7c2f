import type { FolderConfig, SagasuConfig } from '../config/schema'
import type { ImportRunProgress, UnsavedFiles, WatchReport } from '../shared/types/api'

/** What the server hands the live library's thread when it starts it. */
export interface LiveLibraryThreadData {
  /** The TypeScript entry the bootstrap loads through tsx (`workers/live-library-thread.ts`). */
  entry: string
  /** The configuration as the server holds it now (folders added since start-up included). */
  config: SagasuConfig
  /** The configuration file the server read, if any (see LiveLibraryOptions.configFile). */
  configFile?: string
  /** The better-sqlite3 addon the server loaded: the thread must use the same one (server/store/embedded/sqlite-addon.ts). */
  sqliteAddon?: string
}

/** One LiveLibrary call carried to the thread. */
export type LiveLibraryCall =
  | { method: 'importNow' }
  | { method: 'reindex'; folder: string; path: string }
  | { method: 'addFolder'; folder: FolderConfig }

/** Server → thread. */
export type ToLiveLibraryThread =
  | { type: 'call'; id: number; call: LiveLibraryCall }
  | { type: 'close' }

/** Thread → server. */
export type FromLiveLibraryThread =
  /** The thread's first full import is done. */
  | { type: 'ready' }
  /** The current or last full import changed. */
  | { type: 'progress'; progress: ImportRunProgress | null }
  /** The files the library found but could not save (the store could not write), when that changed. */
  | { type: 'unsaved'; unsaved: UnsavedFiles | undefined }
  /** How the folders are followed, when that changed. */
  | { type: 'watch'; watch: WatchReport }
  /** An import or flush may have added work for the model stages. */
  | { type: 'changes' }
  | { type: 'log'; message: string }
  /** The call `id` finished. */
  | { type: 'done'; id: number }
  /** The library and the thread's store are closed; the thread ends next. */
  | { type: 'closed' }
