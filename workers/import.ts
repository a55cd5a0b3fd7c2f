import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { FolderConfig } from '../config/schema'
import type { ImportCounts } from '../shared/types/api'
import { StoreUnavailableError } from '../server/store/store-unavailable-error'
import { fileJob, fileJobKey, processFileJobs, type FileJobPayload, type FileOutcome } from './file-queue'
import type { PipelineContext } from './pipeline-context'
import { readKeptFolders } from './kept-folders'
import { recreateThumbnails } from './recreate-thumbnail'
import { ensureSourcesCurrent } from './reparse'
import { isUnderAny, scanFolder, type FolderScan } from './scan'
import { listThumbnailHashes, removeThumbnail } from './stages/thumbnail.stage'

export interface ImportOptions {
  folders: FolderConfig[]
  concurrency: number
  /** Try again the files that failed before, even if unchanged. */
  retryErrors?: boolean
  onProgress?: (progress: ImportProgress) => void
  /** Told the files left unsaved when the store could not be written or reached (the import then throws that error). */
  onUnsaved?: (files: FileJobPayload[], error: StoreUnavailableError) => void
  signal?: AbortSignal
  /**
   * Folder names that must not leave the index although this process's configuration lacks them:
   * the server passes those its configuration file lists now (a `sagasu import PATH` added them
   * after the server started). Undefined: the file cannot tell, and no folder is dropped.
   */
  configuredElsewhere?: () => string[] | undefined
}

export interface ImportProgress {
  phase: 'scan' | 'index' | 'sweep' | 'done'
  done: number
  total: number
}

/**
 * One import: scan every folder, queue what is new or changed, index it, then drop what is gone.
 * All folders are scanned before anything is removed, so a file moved between two folders keeps
 * its record. Everything between scan and sweep runs from the persisted job queue, so a killed
 * import resumes where it stopped.
 *
 * @example
 * const counts = await runImport(ctx, { folders: ctx.config.folders, concurrency: 2 })
 */
export async function runImport(ctx: PipelineContext, options: ImportOptions): Promise<ImportCounts> {
  const counts: ImportCounts = { scanned: 0, added: 0, updated: 0, moved: 0, removed: 0, unchanged: 0, errors: 0 }
  const scans = new Map<string, FolderScan>()
  const queued: FileJobPayload[] = []
  /** Files the scan already counted; a job left over from an interrupted run may name one of them again. */
  const counted = new Set<string>()

  // New naming rules (the config's `filenames`, a Sagasu with new layouts) apply to what is indexed too.
  await ensureSourcesCurrent(ctx, options.signal)
  if (options.signal?.aborted) return counts

  for (const folder of options.folders) {
    options.onProgress?.({ phase: 'scan', done: counts.scanned, total: 0 })
    const scan = await scanFolder(folder)
    scans.set(folder.name, scan)
    counts.scanned += scan.files.length
    for (const problem of scan.problems) {
      counts.errors++
      await ctx.store.recordError({ folder: folder.name, path: problem.relPath, stage: 'scan', reason: problem.reason, level: 'error' })
    }
    const known = await ctx.store.fileStates(folder.name)
    const failed = await ctx.store.failedFiles(folder.name)
    for (const file of scan.files) {
      const state = known.get(file.relPath)
      const previousFailure = failed.get(file.relPath)
      // A transient failure (disk full, too many open files …) was the machine's: every import tries it again.
      if (previousFailure && !previousFailure.transient && !options.retryErrors && previousFailure.filesize === file.filesize && previousFailure.mtime === file.mtime) {
        counts.errors++
        counted.add(fileJobKey(folder.name, file.relPath))
      } else if (state && state.filesize === file.filesize && state.mtime === file.mtime && !previousFailure && !state.aiReread) {
        counts.unchanged++
        counted.add(fileJobKey(folder.name, file.relPath))
      } else {
        // A marked file (the AI-metadata readers changed) has its metadata read again, and nothing else when it did not change.
        queued.push({ folder: folder.name, path: file.relPath, ...(previousFailure ? { force: true } : {}), ...(state?.aiReread ? { reread: true } : {}) })
      }
    }
  }

  /** The store stopped writing: what was queued and not finished is not broken, only not saved (its jobs stay where they were stored, and the next scan finds the files anyway). */
  const finished = new Set<string>()
  const reportUnsaved = (error: unknown): never => {
    if (error instanceof StoreUnavailableError) options.onUnsaved?.(queued.filter((file) => !finished.has(fileJobKey(file.folder, file.path))), error)
    throw error
  }
  await ctx.store.enqueueJobs(queued.map(fileJob)).catch(reportUnsaved)
  let done = 0
  const total = queued.length
  await processFileJobs(ctx, {
    concurrency: options.concurrency,
    signal: options.signal,
    onOutcome: (outcome: FileOutcome, payload: FileJobPayload) => {
      done++
      finished.add(fileJobKey(payload.folder, payload.path))
      // An interrupted run can leave the job of a file whose record it had already saved: the scan counted that file.
      if (outcome === 'gone' || counted.has(fileJobKey(payload.folder, payload.path))) return
      if (outcome === 'error') counts.errors++
      else counts[outcome]++
      options.onProgress?.({ phase: 'index', done, total: Math.max(total, done) })
    },
  }).catch(reportUnsaved)
  if (options.signal?.aborted) return counts

  options.onProgress?.({ phase: 'sweep', done: 0, total: 0 })
  // Thumbnails deleted by hand (or lost with a disk) come back: the cache's listing is read once.
  const thumbnails = { present: await listThumbnailHashes(ctx.config.dataDir), missing: new Set<string>() }
  for (const folder of options.folders) {
    counts.removed += await sweepFolder(ctx, folder, scans.get(folder.name)!, thumbnails)
  }
  counts.removed += await dropUnconfiguredFolders(ctx, options.configuredElsewhere)
  const remade = await recreateThumbnails(ctx, thumbnails.missing, options.concurrency, options.signal)
  if (remade) ctx.log(`${remade} missing thumbnails re-created`)
  options.onProgress?.({ phase: 'done', done, total })
  return counts
}

/**
 * Removes index entries (and error records) of files that are no longer on disk. Paths under a
 * directory the scan could not read are kept, and each removal is re-checked against the disk.
 * Notes the content hashes of the files seen whose thumbnail is not in the cache.
 */
async function sweepFolder(ctx: PipelineContext, folder: FolderConfig, scan: FolderScan, thumbnails: { present: Set<string>; missing: Set<string> }): Promise<number> {
  const seen = new Set(scan.files.map((file) => file.relPath))
  const gone: number[] = []
  for (const [path, state] of await ctx.store.fileStates(folder.name)) {
    if (seen.has(path) && !thumbnails.present.has(state.hash)) thumbnails.missing.add(state.hash)
    if (seen.has(path) || isUnderAny(path, scan.unreadable)) continue
    if (await existsOnDisk(folder, path)) continue
    gone.push(state.id)
  }
  await removeImagesAndThumbnails(ctx, gone)

  const problems = new Set(scan.problems.map((problem) => problem.relPath))
  const staleErrors: string[] = []
  for (const error of await ctx.store.listErrors(folder.name)) {
    if (problems.has(error.path)) continue
    // A scan problem that this scan did not meet again is over (the folder is back, the link fixed).
    if (error.stage === 'scan') staleErrors.push(error.path)
    else if (!seen.has(error.path) && !isUnderAny(error.path, scan.unreadable) && !(await existsOnDisk(folder, error.path))) staleErrors.push(error.path)
  }
  await ctx.store.clearErrors(folder.name, staleErrors)
  return gone.length
}

/**
 * A folder taken out of the configuration leaves the index, with its error records; one imported
 * with `--no-save` (workers/kept-folders.ts) stays.
 */
async function dropUnconfiguredFolders(ctx: PipelineContext, configuredElsewhere?: () => string[] | undefined): Promise<number> {
  let removed = 0
  const kept = readKeptFolders(ctx.config.dataDir)
  const unconfigured = (await ctx.store.listFolders()).filter((name) => !ctx.config.folders.some((folder) => folder.name === name) && !kept.some((folder) => folder.name === name))
  if (!unconfigured.length) return 0
  const elsewhere = configuredElsewhere ? configuredElsewhere() : []
  if (!elsewhere) return 0
  for (const name of unconfigured) {
    if (elsewhere.includes(name)) continue
    const ids = [...(await ctx.store.fileStates(name)).values()].map((state) => state.id)
    await removeImagesAndThumbnails(ctx, ids)
    await ctx.store.clearErrors(name, (await ctx.store.listErrors(name)).map((error) => error.path))
    ctx.log(`folder "${name}" is no longer configured: ${ids.length} images left the index`)
    removed += ids.length
  }
  return removed
}

export async function removeImagesAndThumbnails(ctx: PipelineContext, ids: number[]): Promise<void> {
  if (!ids.length) return
  for (const hash of await ctx.store.removeImages(ids)) await removeThumbnail(ctx.config.dataDir, hash)
}

export async function existsOnDisk(folder: FolderConfig, relPath: string): Promise<boolean> {
  return stat(join(folder.path, relPath)).then(() => true, () => false)
}
