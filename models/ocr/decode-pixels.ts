import sharp from 'sharp'
import { decodeImageFile, uprightSize, type DecodeFailure, type DecodeNeed, type Decoded } from '../decoded-image'
import { describeSharpError } from '../../media/sharp-error'
import type { OcrEngineImage } from './ocr-engine'
import { contrastingBackground, OcrImageError, type PreprocessLimits } from './preprocess'

/** What the OCR stage needs decoded: up to `maxPixels` (never scaled up: each engine scales for itself). */
export function ocrDecodeNeed(limits: PreprocessLimits): DecodeNeed {
  return { maxInputPixels: limits.maxInputPixels, maxPixels: limits.maxPixels }
}

/**
 * Decodes an image file into the pixels an OCR engine takes: EXIF orientation applied, alpha
 * flattened onto a background that contrasts with what is drawn (`contrastingBackground`), RGB, scaled down to `maxPixels` (never up: each engine scales for
 * itself). An image over `maxInputPixels` is refused from its header, before any decoding, so a
 * 20000×20000 file costs nothing. The message names the file.
 */
export async function decodeForOcr(path: string, limits: PreprocessLimits, root?: string): Promise<OcrEngineImage> {
  return ocrPixelsFrom(await decodeImageFile(path, root, [ocrDecodeNeed(limits)]), path, limits)
}

/** The engine's pixels from a decode (the stage's own, or the one the chunk runner shared); throws OcrImageError naming `path`. */
export async function ocrPixelsFrom(decoded: Decoded, path: string, limits: PreprocessLimits): Promise<OcrEngineImage> {
  if (!decoded.ok) throw new OcrImageError(describeFailure(decoded.failure, path, limits))
  const { image } = decoded
  const { width, height } = uprightSize(image.source)
  // Another stage of the chunk may have accepted more pixels: this stage's own limit still holds.
  if (width * height > limits.maxInputPixels) throw new OcrImageError(describeFailure({ kind: 'too-large', source: image.source }, path, limits))
  try {
    let { data, info } = { data: image.data, info: { width: image.width, height: image.height, channels: image.channels as number } }
    if (info.channels !== 3) {
      // White text on a transparent caption layer flattened onto white would vanish (issue 13).
      const grey = contrastingBackground(data, info.channels)
      ;({ data, info } = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels as 1 | 2 | 3 | 4 } })
        .flatten({ background: { r: grey, g: grey, b: grey } }).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true }))
    }
    if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`)
    return { data, width: info.width, height: info.height, channels: 3 }
  } catch (error) {
    throw new OcrImageError(`cannot decode ${path}: ${describeSharpError(error)}`)
  }
}

/** The reasons the OCR stage has always recorded; each names the file. */
function describeFailure(failure: DecodeFailure, path: string, limits: PreprocessLimits): string {
  switch (failure.kind) {
    case 'unreadable':
      return `cannot read ${path}: ${(failure.error as Error).message}`
    case 'unsupported':
      return `cannot decode ${path}: not a supported image: the content is ${failure.description}`
    case 'no-dimensions':
      return `cannot decode ${path}: no image dimensions`
    case 'too-large': {
      const { width, height } = uprightSize(failure.source)
      return `${path} is too large for OCR: ${width}×${height} pixels (${megapixels(width * height)} MP, the limit is ${megapixels(limits.maxInputPixels)} MP)`
    }
    case 'unopenable':
    case 'undecodable':
      return `cannot decode ${path}: ${describeSharpError(failure.error)}`
  }
}

function megapixels(pixels: number): string {
  return (pixels / 1_000_000).toFixed(1)
}
