import { stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { FolderConfig } from '../config/schema'
import type { AiMetadataWarning } from './ai-metadata/ai-metadata-read'
import { sameAiParameters } from './ai-metadata/same-parameters'
import type { ImageInput, ImageRecord } from '../shared/types/image'
import { openContained, outsideFolderReason, type ContainedFile } from '../media/contained-file'
import { readableFolders } from './kept-folders'
import type { PipelineContext } from './pipeline-context'
import { extensionOf } from '../media/image-filename'
import { StageError } from './stage'
import { fileReadFailure } from './transient-failure'
import { readAiParameters } from './stages/ai-metadata.stage'
import { AI_METADATA_STAGE, describeAiWarnings } from './stages/ai-metadata-warnings'
import { hashContent } from './stages/hash.stage'
import { parseFilename } from './stages/parse-filename.stage'
import { extensionMismatch, probeImage } from './stages/probe.stage'
import { makeThumbnail } from './stages/thumbnail.stage'

export type IndexOutcome = 'added' | 'updated' | 'moved' | 'unchanged' | 'gone'

export interface IndexResult {
  outcome: IndexOutcome
  /**
   * The record of an added or updated file, for the caller to save with the rest of its chunk of
   * files (saveChunk in file-queue.ts: one bulk write on the servers profile).
   */
  save?: ImageInput
  /** The content hash an updated file had: its thumbnail goes once saved, unless a copy still has it. */
  previousHash?: string
}

/**
 * Runs the file stages on one file: the unit of work of an import. Moves and touches are written
 * at once; a new or changed record is returned to be saved. Expected failures throw StageError
 * (the caller records them); nothing is written unless every stage succeeded, so a file that
 * broke keeps its previous record.
 */
export interface IndexOptions {
  /** Read the file even when size and mtime match the index (a retry of a failed file). */
  force?: boolean
  /**
   * Read the AI metadata again even when the file did not change (FileState.aiReread: the readers
   * changed). The file is read and hashed to know it is the same; no thumbnail is made.
   */
  reread?: boolean
}

export async function indexFile(ctx: PipelineContext, folder: FolderConfig, relPath: string, options: IndexOptions = {}): Promise<IndexResult> {
  const file = await openFileToIndex(folder, relPath)
  if (!file) return { outcome: 'gone' }
  const { info } = file
  let buffer: Buffer
  let existing: ImageRecord | undefined
  const mtime = Math.floor(info.mtimeMs)
  try {
    const maxBytes = ctx.config.import.maxFileMiB * 1024 * 1024
    if (info.size > maxBytes) throw new StageError('read', `file is larger than import.maxFileMiB (${ctx.config.import.maxFileMiB} MiB)`)

    existing = await ctx.store.findByPath(folder.name, relPath)
    if (existing && !options.force && !options.reread && existing.filesize === info.size && existing.mtime === mtime) return { outcome: 'unchanged' }

    // From the checked descriptor: the name may point elsewhere by now.
    buffer = await file.handle.readFile().catch((error: unknown) => {
      throw fileReadFailure(error)
    })
  } finally {
    await file.handle.close().catch(() => undefined)
  }
  if (buffer.length === 0) throw new StageError('read', 'empty file (0 bytes)')
  const hash = await hashContent(buffer)
  if (existing && existing.hash === hash) {
    if (existing.filesize !== buffer.length || existing.mtime !== mtime || options.force) await ctx.store.touchImage(existing.id, buffer.length, mtime)
    return options.reread ? rereadAiMetadata(ctx, folder, relPath, existing, buffer, mtime) : { outcome: 'unchanged' }
  }

  const probe = await probeImage(buffer)
  await makeThumbnail(buffer, hash, { dataDir: ctx.config.dataDir, size: ctx.config.import.thumbnailSize, quality: ctx.config.import.thumbnailQuality })
  const filename = basename(relPath)
  const ext = extensionOf(filename)
  const source = parseFilename(relPath, { rootPath: folder.path, templates: ctx.config.filenames })

  if (!existing) {
    const movedFrom = await findMovedOriginal(ctx, hash)
    if (movedFrom) {
      await ctx.store.relocateImage(movedFrom.id, { folder: folder.name, path: relPath, filename, ext, filesize: buffer.length, mtime, ...source })
      // The warnings were the old path's records: read again (cheap next to the hash), with the parameters.
      const { parameters: ai, warnings } = await readAiParameters(buffer, probe.format)
      await ctx.store.setAiParameters([{ id: movedFrom.id, ...(ai ? { ai } : {}) }])
      await finishFile(ctx, folder, relPath, ext, probe.format, info.size, mtime, warnings)
      return { outcome: 'moved' }
    }
  }

  const { parameters: ai, warnings } = await readAiParameters(buffer, probe.format)
  const input: ImageInput = {
    folder: folder.name,
    path: relPath,
    filename,
    ext,
    filesize: buffer.length,
    mtime,
    hash,
    ...probe,
    ...source,
    ...(ai ? { ai } : {}),
  }
  await finishFile(ctx, folder, relPath, ext, probe.format, info.size, mtime, warnings)
  return existing ? { outcome: 'updated', save: input, previousHash: existing.hash } : { outcome: 'added', save: input }
}

/**
 * Opens the file with the scan's containment rule, checked on the descriptor it is then read from:
 * a link out of the folder (made while the server runs, or swapped in after the scan) is the same
 * `scan` error the scan records, never an indexed image. Undefined when the file is gone.
 */
async function openFileToIndex(folder: FolderConfig, relPath: string): Promise<ContainedFile | undefined> {
  const opened = await openContained(folder.path, relPath)
  if (opened.ok) return opened.file
  switch (opened.reason) {
    case 'missing': return undefined
    case 'outside': throw new StageError('scan', outsideFolderReason(opened.target))
    case 'not-a-file': throw new StageError('read', 'not a regular file')
    case 'unreadable': throw fileReadFailure(opened.error)
  }
}

/** An indexed image with the same content whose file is no longer where the index says: this file is it, moved. */
async function findMovedOriginal(ctx: PipelineContext, hash: string): Promise<ImageRecord | undefined> {
  for (const candidate of await ctx.store.findByHash(hash)) {
    // A folder imported with --no-save still has its files: a copy of one is a copy, not a move.
    const folder = readableFolders(ctx.config.folders, ctx.config.dataDir).find((f) => f.name === candidate.folder)
    const stillThere = folder ? await stat(join(folder.path, candidate.path)).then(() => true, () => false) : false
    if (!stillThere) return candidate
  }
  return undefined
}

/**
 * The AI metadata of an unchanged file read again (the readers changed since it was indexed):
 * the parameters and their warning are replaced, the rest of the record stays. `updated` when the
 * parameters differ from the stored ones.
 */
async function rereadAiMetadata(ctx: PipelineContext, folder: FolderConfig, relPath: string, existing: ImageRecord, buffer: Buffer, mtime: number): Promise<IndexResult> {
  const { parameters: ai, warnings } = await readAiParameters(buffer, existing.format)
  await ctx.store.setAiParameters([{ id: existing.id, ...(ai ? { ai } : {}) }])
  await ctx.store.clearError(folder.name, relPath, AI_METADATA_STAGE)
  await recordAiWarnings(ctx, folder, relPath, warnings, buffer.length, mtime)
  return { outcome: sameAiParameters(existing.ai, ai) ? 'unchanged' : 'updated' }
}

/** A file indexed whole: its records start afresh, with the warnings this reading met. */
async function finishFile(ctx: PipelineContext, folder: FolderConfig, relPath: string, ext: string, format: string, filesize: number, mtime: number, warnings: AiMetadataWarning[]): Promise<void> {
  await ctx.store.clearError(folder.name, relPath)
  const mismatch = extensionMismatch(ext, format)
  if (mismatch) await ctx.store.recordError({ folder: folder.name, path: relPath, stage: 'probe', reason: mismatch, level: 'warning', filesize, mtime })
  await recordAiWarnings(ctx, folder, relPath, warnings, filesize, mtime)
}

/** Metadata was found but some field could not be resolved: one warning record naming each generator and field. */
async function recordAiWarnings(ctx: PipelineContext, folder: FolderConfig, relPath: string, warnings: AiMetadataWarning[], filesize: number, mtime: number): Promise<void> {
  const reason = describeAiWarnings(warnings)
  if (reason) await ctx.store.recordError({ folder: folder.name, path: relPath, stage: AI_METADATA_STAGE, reason, level: 'warning', filesize, mtime })
}
