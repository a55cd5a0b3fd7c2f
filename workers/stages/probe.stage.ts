import type sharp from 'sharp'
import { StageError } from '../stage'
import { BmpDecodeError, decodeBmp } from '../../media/bmp-decoder'
import { openImage } from '../../media/image-decoder'
import { describeSharpError } from '../../media/sharp-error'
import { sniffImageFormat } from '../../media/image-format'

export interface ProbeResult {
  width: number
  height: number
  /** What the content is, whatever the extension says: png, jpeg, gif, webp, avif, bmp. */
  format: string
  animated: boolean
  frames: number
}

/** Extensions and the content formats they promise. */
const FORMAT_OF_EXTENSION: Record<string, string> = {
  png: 'png', jpg: 'jpeg', jpeg: 'jpeg', gif: 'gif', webp: 'webp', avif: 'avif', bmp: 'bmp',
}

/**
 * Reads size, format and animation from the image header.
 * Throws StageError('probe') for anything that is not a readable image.
 */
export async function probeImage(buffer: Buffer): Promise<ProbeResult> {
  // By the magic, before any decoder: a file named .png may hold an SVG that names local files.
  const sniffed = sniffImageFormat(buffer)
  if (!sniffed.raster) throw new StageError('probe', unsupportedReason(sniffed.description))
  if (sniffed.format === 'bmp') {
    const bmp = asProbeError(() => decodeBmp(buffer, { headerOnly: true }))
    return { width: bmp.width, height: bmp.height, format: 'bmp', animated: false, frames: 1 }
  }
  let meta: sharp.Metadata
  try {
    meta = await openImage(buffer).pipeline.metadata()
  } catch (error) {
    throw new StageError('probe', `not a readable image: ${describeSharpError(error)}`)
  }
  const format = normaliseFormat(meta)
  if (!format || !meta.width || !meta.height) throw new StageError('probe', `not a supported image (format ${meta.format ?? 'unknown'})`)
  const frames = meta.pages ?? 1
  // Animated images report the height of all frames stacked unless pageHeight is given.
  const height = meta.pageHeight ?? meta.height
  return { width: meta.width, height, format, animated: frames > 1, frames }
}

/** The reason recorded for a file whose content is not an image format Sagasu reads. */
export function unsupportedReason(description: string): string {
  return `not a supported image: the content is ${description}; Sagasu reads PNG, JPEG, GIF, WebP, AVIF and BMP`
}

/** A warning when the extension promises another format than the content has (a PNG named .jpg). */
export function extensionMismatch(ext: string, format: string): string | undefined {
  const expected = FORMAT_OF_EXTENSION[ext]
  return expected && expected !== format ? `the file is ${format.toUpperCase()} but named .${ext}; indexed as ${format.toUpperCase()}` : undefined
}

function normaliseFormat(meta: sharp.Metadata): string | undefined {
  if (meta.format === 'heif') return meta.compression === 'av1' ? 'avif' : undefined
  return ['png', 'jpeg', 'gif', 'webp'].includes(meta.format ?? '') ? meta.format : undefined
}

function asProbeError<T>(read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof BmpDecodeError) throw new StageError('probe', error.message)
    throw error
  }
}
