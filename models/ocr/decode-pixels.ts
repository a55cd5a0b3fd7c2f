import sharp from 'sharp'
import { readFileInside } from '../../media/contained-file'
import { openImage, UnsupportedImageFormatError } from '../../media/image-decoder'
import { describeSharpError } from '../../media/sharp-error'
import type { OcrEngineImage } from './ocr-engine'
import { contrastingBackground, OcrImageError, type PreprocessLimits } from './preprocess'

/**
 * Decodes an image file into the pixels an OCR engine takes: EXIF orientation applied, alpha
 * flattened onto a background that contrasts with what is drawn (`contrastingBackground`), RGB, scaled down to `maxPixels` (never up: each engine scales for
 * itself). An image over `maxInputPixels` is refused from its header, before any decoding, so a
 * 20000×20000 file costs nothing. The message names the file.
 */
export async function decodeForOcr(path: string, limits: PreprocessLimits, root?: string): Promise<OcrEngineImage> {
  let file: Buffer
  try {
    file = await readFileInside(path, root)
  } catch (error) {
    throw new OcrImageError(`cannot read ${path}: ${(error as Error).message}`)
  }
  let pipeline: sharp.Sharp
  let width: number
  let height: number
  try {
    const opened = openImage(file, { limitInputPixels: false })
    pipeline = opened.pipeline
    const metadata = await pipeline.clone().metadata()
    const upright = (metadata.orientation ?? 1) >= 5
    width = (upright ? metadata.height : metadata.width) ?? 0
    height = (upright ? metadata.width : metadata.height) ?? 0
  } catch (error) {
    if (error instanceof UnsupportedImageFormatError) throw new OcrImageError(`cannot decode ${path}: not a supported image: the content is ${error.description}`)
    throw new OcrImageError(`cannot decode ${path}: ${describeSharpError(error)}`)
  }
  if (width <= 0 || height <= 0) throw new OcrImageError(`cannot decode ${path}: no image dimensions`)
  if (width * height > limits.maxInputPixels) {
    throw new OcrImageError(`${path} is too large for OCR: ${width}×${height} pixels (${megapixels(width * height)} MP, the limit is ${megapixels(limits.maxInputPixels)} MP)`)
  }
  const scale = Math.min(1, Math.sqrt(limits.maxPixels / (width * height)))
  try {
    const opened = openImage(file, { failOn: 'truncated', limitInputPixels: limits.maxInputPixels, sequentialRead: true })
    let decoding = opened.pipeline.rotate()
    if (scale < 1) decoding = decoding.resize(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)), { fit: 'fill', kernel: 'lanczos3' })
    let { data, info } = await decoding.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
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

function megapixels(pixels: number): string {
  return (pixels / 1_000_000).toFixed(1)
}
