import { readFileInside } from '../contained-file'
import type sharp from 'sharp'
import { openImage, UnsupportedImageFormatError, type DecodeOptions } from '../stages/image-decoder'
import { describeSharpError } from '../stages/probe.stage'

/** What tesseract gets: an 8-bit greyscale image, as a binary PGM (leptonica reads it without a codec). */
export interface OcrImage {
  pgm: Buffer
  width: number
  height: number
}

export interface PreprocessLimits {
  /** Larger images are refused before decoding (20000×20000 = 400 MP would need gigabytes). */
  maxInputPixels: number
  /** Larger images are scaled down to this many pixels: tesseract's time and memory grow with the area. */
  maxPixels: number
  /** Images whose longest side is shorter are scaled up (at most 2×): small text reads badly below ~20 px. */
  minLongSide: number
}

export const DEFAULT_PREPROCESS_LIMITS: PreprocessLimits = {
  maxInputPixels: 16_384 * 16_384,
  maxPixels: 12_000_000,
  minLongSide: 1_000,
}

/** An image that cannot be read for OCR; the message names the file and the reason. */
export class OcrImageError extends Error {
  override name = 'OcrImageError'
}

/**
 * Decodes an image file for OCR: EXIF orientation applied, alpha flattened onto white (text drawn
 * on transparency is usually dark), greyscale, scaled into tesseract's comfortable range.
 */
export async function preprocessForOcr(path: string, limits: PreprocessLimits = DEFAULT_PREPROCESS_LIMITS, root?: string): Promise<OcrImage> {
  let file: Buffer
  try {
    file = await readFileInside(path, root)
  } catch (error) {
    throw new OcrImageError(`cannot read ${path}: ${(error as Error).message}`)
  }
  let open: (options: DecodeOptions) => sharp.Sharp
  try {
    open = opener(file)
  } catch (error) {
    if (error instanceof UnsupportedImageFormatError) throw new OcrImageError(`cannot decode ${path}: not a supported image: the content is ${error.description}`)
    throw new OcrImageError(`cannot decode ${path}: ${(error as Error).message}`)
  }
  let width: number
  let height: number
  try {
    // The header alone: refusing a huge image must not decode it.
    const metadata = await open({ limitInputPixels: false }).metadata()
    const upright = (metadata.orientation ?? 1) >= 5
    width = (upright ? metadata.height : metadata.width) ?? 0
    height = (upright ? metadata.width : metadata.height) ?? 0
  } catch (error) {
    throw new OcrImageError(`cannot decode ${path}: ${describeSharpError(error)}`)
  }
  if (width <= 0 || height <= 0) throw new OcrImageError(`cannot decode ${path}: no image dimensions`)
  if (width * height > limits.maxInputPixels) {
    throw new OcrImageError(`${path} is too large for OCR: ${width}×${height} pixels (${megapixels(width * height)} MP, the limit is ${megapixels(limits.maxInputPixels)} MP)`)
  }
  const scale = scaleFor(width, height, limits)
  const targetWidth = Math.max(1, Math.round(width * scale))
  const targetHeight = Math.max(1, Math.round(height * scale))
  try {
    const { data, info } = await open({ failOn: 'truncated', limitInputPixels: limits.maxInputPixels, sequentialRead: true })
      .rotate()
      .flatten({ background: '#ffffff' })
      .resize(targetWidth, targetHeight, { fit: 'fill', kernel: scale > 1 ? 'cubic' : 'lanczos3' })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true })
    if (info.channels !== 1) throw new Error(`expected 1 channel after greyscale, got ${info.channels}`)
    const header = Buffer.from(`P5\n${info.width} ${info.height}\n255\n`, 'ascii')
    return { pgm: Buffer.concat([header, data]), width: info.width, height: info.height }
  } catch (error) {
    throw new OcrImageError(`cannot decode ${path}: ${describeSharpError(error)}`)
  }
}

/**
 * Checks the format by its magic once (throwing UnsupportedImageFormatError), then opens the bytes
 * as often as needed; a BMP is decoded once by the project's own decoder.
 */
function opener(file: Buffer): (options: DecodeOptions) => sharp.Sharp {
  const first = openImage(file, { limitInputPixels: false })
  if (first.format !== 'bmp') return (options) => openImage(file, options).pipeline
  // The BMP decoder has its own pixel ceiling, and the caller checks the size before decoding.
  return () => first.pipeline.clone()
}

/** The factor applied to both sides: down to `maxPixels`, or up (≤ 2×) to `minLongSide`. */
export function scaleFor(width: number, height: number, limits: PreprocessLimits): number {
  const pixels = width * height
  if (pixels > limits.maxPixels) return Math.sqrt(limits.maxPixels / pixels)
  const longSide = Math.max(width, height)
  if (longSide < limits.minLongSide) return Math.min(2, limits.minLongSide / longSide, Math.sqrt(limits.maxPixels / pixels))
  return 1
}

function megapixels(pixels: number): string {
  return (pixels / 1_000_000).toFixed(1)
}
