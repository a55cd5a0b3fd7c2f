import type { FolderConfig } from '../config/schema'
import type { UnsavedFiles } from '../shared/types/api'
import type { StoreUnavailableError } from '../server/store/store-unavailable-error'

/** A file of a watched folder, as the live library queues it. */
export interface WatchedFile {
  folder: FolderConfig
  path: string
}

/** The first retry of files the store could not save comes after this long, doubling up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 5_000
const RETRY_MAX_MS = 60_000
/** At most this many paths in the report. */
const EXAMPLES = 20

export interface UnsavedFileTracker {
  /** Remembers files the store refused (keyed like the live library's changes), logs, and schedules a retry. */
  keep(entries: ReadonlyArray<readonly [string, WatchedFile]>, error: StoreUnavailableError): void
  /** These were saved after all. */
  saved(keys: string[]): void
  /** Everything was saved (a full import went through). */
  clear(): void
  report(): UnsavedFiles | undefined
  stop(): void
}

/**
 * The live library's files that the store could not save (read-only, full, unreachable). They
 * cannot go into the database, so they are kept here with the reason, logged with their count,
 * reported by GET /api/health, and `retry` runs after a growing delay until they are saved.
 *
 * @example
 * const unsaved = trackUnsavedFiles(ctx.log, () => void flush())
 */
export function trackUnsavedFiles(log: (message: string) => void, retry: () => void): UnsavedFileTracker {
  const files = new Map<string, string>()
  let reason = ''
  let since = 0
  let delay = RETRY_FIRST_MS
  let timer: NodeJS.Timeout | undefined
  const clear = () => {
    if (since) log('library: the store writes again; the files that waited are saved')
    files.clear()
    since = 0
    delay = RETRY_FIRST_MS
    clearTimeout(timer)
  }
  return {
    keep(entries, error) {
      for (const [key, entry] of entries) files.set(key, `${entry.folder.name}/${entry.path}`)
      if (!files.size) return
      if (!since) since = Date.now()
      reason = error.message
      log(`library: ${files.size} files could not be saved (${reason}); trying again in ${delay / 1000} s`)
      clearTimeout(timer)
      timer = setTimeout(retry, delay)
      timer.unref()
      delay = Math.min(delay * 2, RETRY_MAX_MS)
    },
    saved(keys) {
      if (!files.size) return
      for (const key of keys) files.delete(key)
      if (!files.size) clear()
    },
    clear,
    report() {
      if (!files.size) return undefined
      return { count: files.size, reason, since, examples: [...files.values()].slice(0, EXAMPLES) }
    },
    stop() {
      clearTimeout(timer)
    },
  }
}
