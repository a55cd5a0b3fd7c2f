import { DECODE_MAX_PIXELS } from '../decoded-image'

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
  maxPixels: DECODE_MAX_PIXELS,
  minLongSide: 1_000,
}

/** An image that cannot be read for OCR; the message names the file and the reason. */
export class OcrImageError extends Error {
  override name = 'OcrImageError'
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


/** The factor applied to both sides: down to `maxPixels`, or up (≤ 2×) to `minLongSide`. */
export function scaleFor(width: number, height: number, limits: PreprocessLimits): number {
  const pixels = width * height
  if (pixels > limits.maxPixels) return Math.sqrt(limits.maxPixels / pixels)
  const longSide = Math.max(width, height)
  if (longSide < limits.minLongSide) return Math.min(2, limits.minLongSide / longSide, Math.sqrt(limits.maxPixels / pixels))
  return 1
}
