import { mkdir, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { dirname, join } from 'node:path'
import type sharp from 'sharp'
import { StageError } from '../stage'
import { BmpDecodeError } from '../../media/bmp-decoder'
import { openImage, UnsupportedImageFormatError } from '../../media/image-decoder'
import { describeSharpError } from '../../media/sharp-error'
import { unsupportedReason } from './probe.stage'

export interface ThumbnailOptions {
  dataDir: string
  size: number
  quality: number
}

/** Thumbnails are stored by content hash, so copies and moved files share one. */
export function thumbnailPath(dataDir: string, hash: string): string {
  return join(dataDir, 'thumbs', hash.slice(0, 2), `${hash}.webp`)
}

/**
 * The content hashes that have a thumbnail, read from the cache's listing (one readdir per
 * 2-hex folder) rather than one stat per image. A cache that is not there lists nothing.
 */
export async function listThumbnailHashes(dataDir: string): Promise<Set<string>> {
  const hashes = new Set<string>()
  const root = join(dataDir, 'thumbs')
  const prefixes = await readdir(root).catch(() => [] as string[])
  for (const prefix of prefixes) {
    if (!/^[0-9a-f]{2}$/.test(prefix)) continue
    for (const name of await readdir(join(root, prefix)).catch(() => [] as string[])) {
      const match = /^([0-9a-f]{16})\.webp$/.exec(name)
      if (match) hashes.add(match[1]!)
    }
  }
  return hashes
}

/**
 * Decodes the whole image (which is also what proves it is not truncated) and writes a WebP
 * whose longest side is `size`. Skips the work when the thumbnail for this content exists.
 */
export async function makeThumbnail(buffer: Buffer, hash: string, options: ThumbnailOptions): Promise<string> {
  const target = thumbnailPath(options.dataDir, hash)
  if (await exists(target)) return target
  let webp: Buffer
  try {
    webp = await toPipeline(buffer)
      .rotate()
      .resize(options.size, options.size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: options.quality, effort: 2 })
      .toBuffer()
  } catch (error) {
    if (error instanceof StageError) throw error
    if (error instanceof BmpDecodeError) throw new StageError('thumbnail', error.message)
    throw new StageError('thumbnail', `cannot decode the image: ${describeSharpError(error)}`)
  }
  await writeThumbnail(target, webp)
  return target
}

/**
 * Writes then renames, so a kill mid-write never leaves a half thumbnail behind. The name is unique
 * per call: two copies of one image indexed at once make the same thumbnail concurrently. A failed
 * write (disk full, read-only or failing data directory) removes its temporary file and is the
 * machine's fault, not the image's: a transient failure the next import retries.
 */
async function writeThumbnail(target: string, webp: Buffer): Promise<void> {
  const temporary = `${target}.${process.pid}.${randomUUID()}.tmp`
  try {
    await mkdir(dirname(target), { recursive: true })
    await writeFile(temporary, webp)
    await rename(temporary, target)
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined)
    throw new StageError('thumbnail', `cannot write the thumbnail to ${dirname(target)}: ${(error as Error).message}`, 'error', { transient: true, cause: error })
  }
}

export async function removeThumbnail(dataDir: string, hash: string): Promise<void> {
  await unlink(thumbnailPath(dataDir, hash)).catch(() => undefined)
}

function toPipeline(buffer: Buffer): sharp.Sharp {
  // Only raster formats by their magic (BMP as raw pixels); 'truncated' rather than the default
  // 'warning': files with harmless encoder quirks still get a thumbnail, files cut short
  // (interrupted downloads) fail here.
  try {
    return openImage(buffer).pipeline
  } catch (error) {
    if (error instanceof UnsupportedImageFormatError) throw new StageError('thumbnail', unsupportedReason(error.description))
    throw error
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false)
}
