import { mkdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { dirname, join } from 'node:path'
import sharp from 'sharp'
import { StageError } from '../stage'
import { decodeBmp, isBmp } from './bmp-decoder'
import { describeSharpError } from './probe.stage'

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
  if (isBmp(buffer)) {
    const bmp = decodeBmp(buffer)
    return sharp(bmp.pixels, { raw: { width: bmp.width, height: bmp.height, channels: 4 } })
  }
  // 'truncated' rather than the default 'warning': files with harmless encoder quirks still
  // get a thumbnail, files cut short (interrupted downloads) fail here.
  return sharp(buffer, { failOn: 'truncated' })
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false)
}
