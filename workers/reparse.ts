import { createHash } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SagasuConfig } from '../config/schema'
import type { AndNode } from '../server/query/ast'
import type { Relocation } from '../server/store/store'
import type { ImageRecord, SourceFields } from '../shared/types/image'
import type { PipelineContext } from './pipeline-context'
import { parseFilename } from './stages/parse-filename.stage'

/**
 * The built-in layouts' version: raise it when a layout changes what it reads, so that the next
 * import re-derives every record's name fields (see ensureSourcesCurrent).
 */
export const LAYOUTS_VERSION = 2

/** Records read and written per step. */
const BATCH = 500

export interface ReparseCounts {
  /** Records whose path was parsed again. */
  checked: number
  /** Records whose name fields differ afterwards. */
  changed: number
}

export interface ReparseOptions {
  onProgress?: (counts: ReparseCounts) => void
  signal?: AbortSignal
}

const EVERY_IMAGE: AndNode = { type: 'and', children: [], span: { start: 0, end: 0 } }

/** The fields a file's name and folders give; compared to tell whether a record changed. */
const NAME_FIELDS = ['type', 'illustid', 'page', 'userid', 'username', 'tweetid', 'postid', 'md5', 'date', 'tags1'] as const

/**
 * Re-derives the name fields of every indexed image from its stored path, with the configured
 * templates and the built-in layouts, in batches, without opening a file: a record whose file is
 * gone keeps its record (the import's sweep alone removes records). pixiv metadata already fetched
 * is applied again by the store (relocateImages), so it is never lost.
 *
 * @example
 * const { checked, changed } = await reparseSources(ctx)
 */
export async function reparseSources(ctx: PipelineContext, options: ReparseOptions = {}): Promise<ReparseCounts> {
  const counts: ReparseCounts = { checked: 0, changed: 0 }
  const roots = new Map(ctx.config.folders.map((folder) => [folder.name, folder.path]))
  for await (const keys of ctx.store.matchingImageKeys(EVERY_IMAGE)) {
    for (let start = 0; start < keys.length; start += BATCH) {
      if (options.signal?.aborted) return counts
      const before = await ctx.store.getImages(keys.slice(start, start + BATCH).map((key) => key.id))
      const written: ImageRecord[] = []
      const writes: Array<{ id: number; to: Relocation }> = []
      for (const image of before) {
        const source = parseFilename(image.path, { rootPath: roots.get(image.folder), templates: ctx.config.filenames })
        if (sameNameFields(image, source) || pixivKeepsFields(image, source)) continue
        const { folder, path, filename, ext, filesize, mtime } = image
        writes.push({ id: image.id, to: { folder, path, filename, ext, filesize, mtime, ...source } })
        written.push(image)
      }
      // One transaction (one bulk write) per batch.
      await ctx.store.relocateImages(writes)
      // pixiv's metadata goes back onto a rewritten record: only what differs afterwards changed.
      const after = new Map((await ctx.store.getImages(written.map((image) => image.id))).map((image) => [image.id, image]))
      counts.changed += written.filter((image) => !sameNameFields(image, after.get(image.id) ?? image)).length
      counts.checked += before.length
      options.onProgress?.({ ...counts })
    }
  }
  return counts
}

/**
 * A page of a work whose pixiv metadata was fetched takes its user name, tags and date from pixiv
 * (PixivQueries.reapply): a write that would only give them back is skipped.
 */
function pixivKeepsFields(image: ImageRecord, source: SourceFields): boolean {
  return image.pixiv !== undefined && source.type === 'pixiv' && image.type === 'pixiv' && source.illustid === image.illustid
    && source.page === image.page && (source.userid === undefined || source.userid === image.userid)
    && source.tweetid === undefined && source.postid === undefined && source.md5 === undefined
}

function sameNameFields(a: SourceFields, b: SourceFields): boolean {
  return NAME_FIELDS.every((key) => JSON.stringify(a[key] ?? null) === JSON.stringify(b[key] ?? null))
}

/** What the name fields of the index were derived with: the layouts' version, the templates and the folders' paths. */
export function sourceRulesFingerprint(config: SagasuConfig): string {
  const rules = { layouts: LAYOUTS_VERSION, templates: config.filenames, folders: config.folders.map(({ name, path }) => [name, path]) }
  return createHash('sha256').update(JSON.stringify(rules)).digest('hex')
}

const FINGERPRINT_FILE = 'filename-rules.sha256'

/**
 * Re-parses every record when the naming rules changed since the last import (a new `filenames`
 * list, a moved folder, a Sagasu with new layouts); nothing when they did not. The fingerprint is
 * written only after a complete pass, so an interrupted one runs again next time.
 */
export async function ensureSourcesCurrent(ctx: PipelineContext, signal?: AbortSignal): Promise<ReparseCounts | undefined> {
  const file = join(ctx.config.dataDir, FINGERPRINT_FILE)
  const fingerprint = sourceRulesFingerprint(ctx.config)
  const stored = await readFile(file, 'utf8').then((text) => text.trim(), () => undefined)
  if (stored === fingerprint) return undefined
  const counts = await reparseSources(ctx, { signal })
  if (signal?.aborted) return counts
  if (counts.checked) ctx.log(`file-name rules changed: re-read the names of ${counts.checked} images, ${counts.changed} changed`)
  // A data directory that cannot take the small file only means the pass runs again next time.
  await writeFingerprint(ctx.config, fingerprint).catch((error: unknown) => ctx.log(`cannot record the file-name rules in ${file}: ${(error as Error).message}`))
  return counts
}

/** Records the rules the index's name fields now follow (after `sagasu reparse` too). */
export async function writeFingerprint(config: SagasuConfig, fingerprint = sourceRulesFingerprint(config)): Promise<void> {
  const file = join(config.dataDir, FINGERPRINT_FILE)
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, `${fingerprint}\n`, 'utf8')
  await rename(temporary, file)
}
