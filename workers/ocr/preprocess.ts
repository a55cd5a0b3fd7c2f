import { readFileInside } from '../contained-file'
import sharp from 'sharp'
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
 * Decodes an image file for OCR: EXIF orientation applied, transparency flattened onto a background
 * that contrasts with what is drawn (see `contrastingBackground`), greyscale, scaled into
 * tesseract's comfortable range.
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
  let hasAlpha = false
  try {
    // The header alone: refusing a huge image must not decode it.
    const metadata = await open({ limitInputPixels: false }).metadata()
    const upright = (metadata.orientation ?? 1) >= 5
    hasAlpha = metadata.hasAlpha === true
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
    const decoded = open({ failOn: 'truncated', limitInputPixels: limits.maxInputPixels, sequentialRead: true })
      .rotate()
      .resize(targetWidth, targetHeight, { fit: 'fill', kernel: scale > 1 ? 'cubic' : 'lanczos3' })
    const { data, info } = hasAlpha
      ? await flattenOntoContrast(await decoded.raw().toBuffer({ resolveWithObject: true }))
      : await decoded.greyscale().raw().toBuffer({ resolveWithObject: true })
    if (info.channels !== 1) throw new Error(`expected 1 channel after greyscale, got ${info.channels}`)
    const header = Buffer.from(`P5\n${info.width} ${info.height}\n255\n`, 'ascii')
    return { pgm: Buffer.concat([header, data]), width: info.width, height: info.height }
  } catch (error) {
    throw new OcrImageError(`cannot decode ${path}: ${describeSharpError(error)}`)
  }
}

type RawImage = { data: Buffer; info: sharp.OutputInfo }

/** Flattens decoded pixels with alpha (grey+alpha or RGBA) onto `contrastingBackground`, to one grey channel. */
async function flattenOntoContrast({ data, info }: RawImage): Promise<RawImage> {
  const background = contrastingBackground(data, info.channels)
  return sharpRaw(data, info)
    .flatten({ background: { r: background, g: background, b: background } })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true })
}

function sharpRaw(data: Buffer, info: sharp.OutputInfo): sharp.Sharp {
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels as 1 | 2 | 3 | 4 } })
}

/**
 * The grey (0 or 255) to put behind transparent pixels: black when what is drawn is light, white
 * otherwise. "What is drawn" is the opaque pixels, weighted by their alpha: on a caption layer or
 * a sticker those are the text strokes, and white text flattened onto white would vanish (it did:
 * issue 13). An image with nothing opaque gets white.
 *
 * @param pixels interleaved 8-bit pixels whose last channel is alpha (2: grey+alpha, 4: RGBA)
 */
export function contrastingBackground(pixels: Uint8Array, channels: number): 0 | 255 {
  if (channels !== 2 && channels !== 4) return 255
  let weighted = 0
  let opacity = 0
  for (let i = 0; i + channels <= pixels.length; i += channels) {
    const alpha = pixels[i + channels - 1]!
    if (alpha === 0) continue
    // Rec. 709 luma, as sharp's greyscale.
    const luma = channels === 2 ? pixels[i]! : 0.2126 * pixels[i]! + 0.7152 * pixels[i + 1]! + 0.0722 * pixels[i + 2]!
    weighted += luma * alpha
    opacity += alpha
  }
  return opacity > 0 && weighted / opacity > 127.5 ? 0 : 255
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
