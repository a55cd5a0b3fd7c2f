import { realpathSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import chokidar, { type FSWatcher } from 'chokidar'
import { loadConfig } from '../config/load-config'
import type { FolderConfig } from '../config/schema'
import type { FolderWatch, ImportCounts, ImportRunProgress, UnsavedFiles, WatchReport } from '../shared/types/api'
import { StoreUnavailableError } from '../server/store/store-unavailable-error'
import { isInside } from '../media/contained-file'
import { fileJob, fileJobKey, processFileJobs } from './file-queue'
import { existsOnDisk, removeImagesAndThumbnails, runImport } from './import'
import { trackUnsavedFiles, type WatchedFile } from './unsaved-files'
import type { PipelineContext } from './pipeline-context'
import { isImageFilename } from '../media/image-filename'

export interface LiveLibrary {
  /** Resolves when the first full import is done. */
  ready: Promise<void>
  /** Runs a full import after the work already queued; resolves when it is done. */
  importNow(): Promise<void>
  /** Indexes one file again (a retry from the errors table), even when it is unchanged. */
  reindex(folder: string, path: string): Promise<void>
  /** Starts watching a folder just added to the configuration and imports it. */
  addFolder(folder: FolderConfig): Promise<void>
  /** The current or last full import, for the jobs page. */
  importProgress(): ImportRunProgress | null
  /** Files found but not saved because the store could not write (kept and retried), for GET /api/health. */
  unsavedFiles(): UnsavedFiles | undefined
  /** How each folder is followed (events, or re-scans after its watcher failed), for GET /api/health and the jobs page. */
  watchReport(): WatchReport
  close(): Promise<void>
}

/**
 * Keeps the index in step with the folders while the server runs: filesystem events for changes
 * within seconds, and a periodic full re-scan for what events miss (network drives, changes made
 * while Sagasu was stopped). Work runs one batch at a time through the same job queue as imports.
 */
export interface LiveLibraryOptions {
  /** Called after each import or flush that may have added work for the model stages. */
  afterChanges?: () => void
  /** The configuration file the server read: a folder added to it since (by `sagasu import PATH`) keeps its images. */
  configFile?: string
}

/** The folder names the configuration file lists now; undefined when it cannot be read (then nothing is dropped). */
function foldersInFile(file: string): string[] | undefined {
  try {
    return loadConfig({ file, env: {} }).config.folders.map(({ name }) => name)
  } catch {
    return undefined
  }
}

/**
 * A directory reached through a link out of the folder is not watched: nothing in it is indexed
 * (the scan reports the link), and a link to `/` would otherwise have every directory of the disk
 * watched. One realpath per directory, not per file.
 */
function leadsOutside(rootReal: string, path: string): boolean {
  try {
    return !isInside(realpathSync(path), rootReal)
  } catch {
    // Gone while being looked at: nothing to watch.
    return true
  }
}

/** When a new directory is read again (see `lookInto` in startLiveLibrary). */
const NEW_DIR_RECHECK_MS = 3000

/**
 * The image files under a directory of a folder, as paths relative to the folder; none when it is
 * gone. Links are left to the watcher (which follows them) and to each job's containment check.
 */
async function imageFilesUnder(folder: FolderConfig, path: string): Promise<string[]> {
  const entries = await readdir(join(folder.path, path), { withFileTypes: true, recursive: folder.recursive }).catch(() => [])
  return entries
    .filter((entry) => entry.isFile() && isImageFilename(entry.name))
    .map((entry) => relative(folder.path, join(entry.parentPath, entry.name)).split(sep).join('/'))
}

export function startLiveLibrary(ctx: PipelineContext, options: LiveLibraryOptions = {}): LiveLibrary {
  const { config } = ctx
  const folders = config.folders
  const changed = new Map<string, { folder: FolderConfig; path: string }>()
  const removed = new Map<string, { folder: FolderConfig; path: string; dir: boolean }>()
  let timer: NodeJS.Timeout | undefined
  let rescanTimer: NodeJS.Timeout | undefined
  let closed = false
  let chain: Promise<void> = Promise.resolve()
  const unsaved = trackUnsavedFiles(ctx.log, () => void flush())
  /** Changes the store could not save go back among the changes (newer events for the same paths win) to be tried again. */
  const keepUnsaved = (entries: Array<readonly [string, WatchedFile]>, error: StoreUnavailableError) => {
    for (const [key, entry] of entries) if (!changed.has(key)) changed.set(key, entry)
    unsaved.keep(entries, error)
  }
  const abort = new AbortController()

  /** Serialises all index work so a flush never races a full re-scan. */
  const enqueue = (work: () => Promise<void>): Promise<void> => {
    chain = chain.then(work).catch((error: unknown) => ctx.log(`live library: ${(error as Error).stack ?? String(error)}`))
    return chain
  }

  let run: ImportRunProgress | null = null
  let indexStartedAt = 0

  const fallbacks = new Map<string, { watch: FolderWatch; timer: NodeJS.Timeout }>()
  let changesApplied = 0
  const touchedBy = (counts: ImportCounts) => counts.added + counts.updated + counts.moved + counts.removed
  const keepUnsavedOf = (files: Array<{ folder: string; path: string }>, error: StoreUnavailableError) => keepUnsaved(files.flatMap(({ folder, path }) => {
    const configured = folders.find(({ name }) => name === folder)
    return configured ? [[fileJobKey(folder, path), { folder: configured, path }] as const] : []
  }), error)

  const fullImport = () => enqueue(async () => {
    const current: ImportRunProgress = { running: true, phase: 'scan', done: 0, total: 0, rate: 0, startedAt: Date.now(), finishedAt: null, counts: null, error: null }
    run = current
    indexStartedAt = 0
    const counts = await runImport(ctx, {
      folders,
      concurrency: config.import.concurrency,
      signal: abort.signal,
      onUnsaved: keepUnsavedOf,
      ...(options.configFile ? { configuredElsewhere: () => foldersInFile(options.configFile!) } : {}),
      onProgress: (progress) => {
        if (progress.phase === 'index' && !indexStartedAt) indexStartedAt = Date.now()
        current.phase = progress.phase
        if (progress.phase === 'index') {
          current.done = progress.done
          current.total = progress.total
          const seconds = (Date.now() - indexStartedAt) / 1000
          current.rate = seconds > 0 ? progress.done / seconds : 0
        }
      },
    }).catch((error: unknown) => {
      current.error = error instanceof Error ? error.message : String(error)
      throw error
    }).finally(() => {
      current.running = false
      current.phase = 'done'
      current.finishedAt = Date.now()
    })
    current.counts = counts
    unsaved.clear()
    const touched = touchedBy(counts)
    if (touched) ctx.log(`library: ${counts.added} added, ${counts.updated} updated, ${counts.moved} moved, ${counts.removed} removed, ${counts.errors} errors`)
    options.afterChanges?.()
  })

  /**
   * A directory that appears is read by chokidar before it watches it (chokidar 4, handler.js
   * `_handleDir`: `_handleRead`, then `_watchWithNodeFs`), so a file written into it in between
   * makes no event: on a busy machine the live-library test's `new/…png` went unseen. The library
   * reads each new directory itself, at the next flush and once more a few seconds later (by then
   * chokidar watches it: what comes after is an event), and indexes the image files it finds; a
   * file already indexed costs an open and a look-up (its size and mtime match the record).
   */
  const newDirs = new Map<string, { folder: FolderConfig; path: string }>()
  const lookInto = (folder: FolderConfig, path: string) => {
    const key = fileJobKey(folder.name, path)
    newDirs.set(key, { folder, path })
    const again = setTimeout(() => {
      if (closed) return
      newDirs.set(key, { folder, path })
      schedule()
    }, NEW_DIR_RECHECK_MS)
    again.unref()
  }
  const filesInNewDirs = async () => {
    const dirs = [...newDirs.values()]
    newDirs.clear()
    for (const { folder, path } of dirs) {
      for (const file of await imageFilesUnder(folder, path)) {
        const key = fileJobKey(folder.name, file)
        if (!changed.has(key)) changed.set(key, { folder, path: file })
      }
    }
  }

  const flush = () => enqueue(async () => {
    await filesInNewDirs()
    const indexing = [...changed.entries()]
    const removing = [...removed.entries()]
    const toIndex = indexing.map(([, entry]) => entry)
    const toRemove = removing.map(([, entry]) => entry)
    changed.clear()
    removed.clear()
    try {
      await indexChanges(toIndex, toRemove)
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || closed) throw error
      // The store cannot write: the changes wait (newer events for the same paths win) and are tried again.
      for (const [key, entry] of removing) if (!removed.has(key)) removed.set(key, entry)
      keepUnsaved(indexing, error)
      return
    }
    unsaved.saved(indexing.map(([key]) => key))
  })

  const indexChanges = async (toIndex: WatchedFile[], toRemove: Array<WatchedFile & { dir: boolean }>) => {
    await ctx.store.enqueueJobs(toIndex.map(({ folder, path }) => fileJob({ folder: folder.name, path })))
    // A file found as it was indexed (a new directory read again, an event without a change) is no change.
    let indexed = 0
    await processFileJobs(ctx, { concurrency: config.import.concurrency, signal: abort.signal, onOutcome: (outcome) => {
      if (outcome !== 'unchanged' && outcome !== 'gone') indexed++
    } })
    // Removals go last: a move arrives as unlink + add, and the add has claimed the record by now.
    const gone: number[] = []
    const statesOf = new Map<string, Awaited<ReturnType<typeof ctx.store.fileStates>>>()
    for (const { folder, path, dir } of toRemove) {
      if (await existsOnDisk(folder, path)) continue
      // One read of a folder's index per flush, however many of its files went.
      if (!statesOf.has(folder.name)) statesOf.set(folder.name, await ctx.store.fileStates(folder.name))
      if (!dir) {
        const state = statesOf.get(folder.name)!.get(path)
        if (state) gone.push(state.id)
        continue
      }
      for (const [statePath, state] of statesOf.get(folder.name)!) {
        if (path === '' || statePath === path || statePath.startsWith(`${path}/`)) gone.push(state.id)
      }
    }
    await removeImagesAndThumbnails(ctx, [...new Set(gone)])
    changesApplied += indexed + toRemove.length
    if (toIndex.length || gone.length) ctx.log(`library: ${toIndex.length} changed, ${gone.length} removed`)
    if (toIndex.length) options.afterChanges?.()
  }

  const schedule = () => {
    clearTimeout(timer)
    timer = setTimeout(() => void flush(), config.watch.debounceMs)
  }

  /**
   * The re-scan of one folder whose watcher failed: a scan of that folder alone (stat only for
   * unchanged files), so its new files wait seconds rather than `rescanMinutes`.
   */
  const rescanFolder = (folder: FolderConfig) => enqueue(async () => {
    if (closed) return
    const counts = await runImport(ctx, {
      folders: [folder],
      concurrency: config.import.concurrency,
      signal: abort.signal,
      onUnsaved: keepUnsavedOf,
      ...(options.configFile ? { configuredElsewhere: () => foldersInFile(options.configFile!) } : {}),
    })
    const touched = touchedBy(counts)
    changesApplied += touched
    if (touched) {
      ctx.log(`library: ${folder.name} re-scanned: ${counts.added} added, ${counts.updated} updated, ${counts.moved} moved, ${counts.removed} removed, ${counts.errors} errors`)
      options.afterChanges?.()
    }
  })

  const watchers = new Map<string, FSWatcher>()
  /**
   * A watcher that fails (EMFILE, ENOSPC when the inotify limits are reached, a share unmounted)
   * misses events from then on, for some or all of the folder's directories: the folder goes over
   * to re-scans every `watch.fallbackRescanSeconds`, which the health report and the jobs page show.
   */
  const fallBack = (folder: FolderConfig, error: unknown) => {
    const code = (error as NodeJS.ErrnoException | undefined)?.code
    const message = error instanceof Error ? error.message : String(error)
    // One report per folder: a failing tree sends an error for each directory it could not watch.
    if (fallbacks.has(folder.name) || closed) return
    const seconds = config.watch.fallbackRescanSeconds
    const reason = code && !message.startsWith(code) ? `${code}: ${message}` : message
    ctx.log(`watching ${folder.path} failed (${reason}); re-scanning it every ${seconds} s instead${code === 'ENOSPC' || code === 'EMFILE' ? ' (raise fs.inotify.max_user_watches / max_user_instances, or the open-file limit, to watch it again after a restart)' : ''}`)
    const timer = setInterval(() => void rescanFolder(folder), seconds * 1000)
    timer.unref()
    fallbacks.set(folder.name, { watch: { folder: folder.name, mode: 'rescan', reason, since: Date.now(), rescanSeconds: seconds }, timer })
    const watcher = watchers.get(folder.name)
    watchers.delete(folder.name)
    void watcher?.close()
    // What happened between the failure and now was missed by the watcher.
    void rescanFolder(folder)
  }

  /** Starts watching a folder; resolves once the watcher has set up every directory (or failed). */
  const watch = (folder: FolderConfig): Promise<void> => {
    const rootReal = (() => {
      try {
        return realpathSync(folder.path)
      } catch {
        return undefined
      }
    })()
    const watcher = chokidar.watch(folder.path, {
      ignoreInitial: true,
      followSymlinks: true,
      // An unreadable directory is the scan's to report (an error record); it is no reason to stop watching the rest.
      ignorePermissionErrors: true,
      depth: folder.recursive ? 64 : 0,
      // A file still being copied is indexed once its size stops changing.
      awaitWriteFinish: { stabilityThreshold: 300, pollInterval: 100 },
      ignored: (path, stats) => Boolean((stats?.isFile() && !isImageFilename(path)) || (stats?.isDirectory() && rootReal && leadsOutside(rootReal, path))),
    })
    watchers.set(folder.name, watcher)
    const relPath = (abs: string) => relative(folder.path, abs).split(sep).join('/')
    watcher.on('all', (event, abs) => {
      if (typeof abs !== 'string') return
      const path = relPath(abs)
      const key = fileJobKey(folder.name, path)
      if (event === 'add' || event === 'change') changed.set(key, { folder, path })
      else if (event === 'unlink' || event === 'unlinkDir') removed.set(`${key}${event === 'unlinkDir' ? '/' : ''}`, { folder, path, dir: event === 'unlinkDir' })
      else if (event === 'addDir') lookInto(folder, path)
      else return
      schedule()
    })
    return new Promise<void>((resolve) => {
      watcher.once('ready', () => resolve())
      watcher.on('error', (error) => {
        fallBack(folder, error)
        resolve()
      })
    })
  }
  let watching = false
  /**
   * The watchers are set up before the first import scans: a file written while the import runs is
   * seen by one or the other, and one written after `ready` (the "library up to date" line) is an
   * event. The other way round, a file written between the import's scan and the watcher's setup
   * waited for the next full re-scan.
   */
  const ready = (async () => {
    if (config.watch.enabled) await Promise.all(folders.map((folder) => watch(folder)))
    await fullImport()
    if (closed || !config.watch.enabled) return
    watching = true
    if (config.watch.rescanMinutes > 0) {
      rescanTimer = setInterval(() => void fullImport(), config.watch.rescanMinutes * 60_000)
      rescanTimer.unref()
    }
  })()

  return {
    ready,
    importNow: () => fullImport(),
    reindex: (folder, path) => enqueue(async () => {
      await ctx.store.clearError(folder, path)
      await ctx.store.enqueueJobs([fileJob({ folder, path, force: true })])
      await processFileJobs(ctx, { concurrency: config.import.concurrency, signal: abort.signal })
      options.afterChanges?.()
    }),
    async addFolder(folder) {
      if (closed) return
      // `folders` is the configuration's own list: the file queue and later rescans see the new folder too.
      if (!folders.some(({ name }) => name === folder.name)) folders.push(folder)
      await ready
      if (watching && !watchers.has(folder.name)) await watch(folder)
      await fullImport()
    },
    importProgress: () => (run ? { ...run } : null),
    unsavedFiles: () => unsaved.report(),
    watchReport: () => ({
      state: watching ? 'watching' : 'starting',
      folders: folders.map((folder) => fallbacks.get(folder.name)?.watch ?? { folder: folder.name, mode: 'events' }),
      changesApplied,
    }),
    async close() {
      closed = true
      abort.abort()
      clearTimeout(timer)
      unsaved.stop()
      clearInterval(rescanTimer)
      for (const { timer } of fallbacks.values()) clearInterval(timer)
      await Promise.all([...watchers.values()].map((watcher) => watcher.close()))
      await chain
    },
  }
}

