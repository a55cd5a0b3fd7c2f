import type { SagasuConfig } from '../config/schema'
import type { Store } from '../server/store/store'
import { openContained } from '../media/contained-file'
import { forEachLimited } from './file-queue'
import { readableFolders } from './kept-folders'
import { hashContent } from './stages/hash.stage'
import { makeThumbnail } from './stages/thumbnail.stage'

export interface ThumbnailRepairContext {
  config: SagasuConfig
  store: Pick<Store, 'findByHash'>
}

/** Work per hash already under way: a page of thumbnails asked for at once makes each one once. */
const running = new Map<string, Promise<boolean>>()

/**
 * Makes the thumbnail of a content hash again from an original the index knows (one whose file
 * still has that content), read through a checked descriptor like every other read of a folder.
 * False when no such original can be read: an unknown hash, or every copy changed or gone.
 * A failure to decode or to write throws (StageError or the write's error).
 *
 * @example
 * if (await recreateThumbnail(ctx, 'a1b2c3d4e5f60718')) serveThumbnail()
 */
export function recreateThumbnail(ctx: ThumbnailRepairContext, hash: string): Promise<boolean> {
  let work = running.get(hash)
  if (!work) {
    work = recreate(ctx, hash).finally(() => running.delete(hash))
    running.set(hash, work)
  }
  return work
}

async function recreate(ctx: ThumbnailRepairContext, hash: string): Promise<boolean> {
  const maxBytes = ctx.config.import.maxFileMiB * 1024 * 1024
  for (const image of await ctx.store.findByHash(hash)) {
    const folder = readableFolders(ctx.config.folders, ctx.config.dataDir).find((candidate) => candidate.name === image.folder)
    if (!folder) continue
    const opened = await openContained(folder.path, image.path)
    if (!opened.ok) continue
    let buffer: Buffer
    try {
      if (opened.file.info.size > maxBytes) continue
      buffer = await opened.file.handle.readFile()
    } catch {
      continue
    } finally {
      await opened.file.handle.close().catch(() => undefined)
    }
    // Changed since it was indexed: its thumbnail is the next import's business, under the new hash.
    if ((await hashContent(buffer)) !== hash) continue
    await makeThumbnail(buffer, hash, { dataDir: ctx.config.dataDir, size: ctx.config.import.thumbnailSize, quality: ctx.config.import.thumbnailQuality })
    return true
  }
  return false
}

/**
 * Re-creates the thumbnails of the given hashes, `concurrency` at a time; one that fails is logged
 * and the rest go on (the image keeps its record; the next import or a /thumbs request tries again).
 * Returns how many were made.
 */
export async function recreateThumbnails(ctx: ThumbnailRepairContext & { log: (message: string) => void }, hashes: Iterable<string>, concurrency: number, signal?: AbortSignal): Promise<number> {
  let made = 0
  await forEachLimited([...hashes], Math.max(1, concurrency), async (hash) => {
    if (signal?.aborted) return
    try {
      if (await recreateThumbnail(ctx, hash)) made++
    } catch (error) {
      ctx.log(`thumbnail ${hash} could not be re-created: ${error instanceof Error ? error.message : String(error)}`)
    }
  })
  return made
}
