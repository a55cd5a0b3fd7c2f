// Decodes an image file into the pixels the OCR engine seam takes (workers/ocr/ocr-engine.ts):
// EXIF orientation applied, transparency flattened onto a background that contrasts with what is
// drawn (as workers/ocr/preprocess.ts does), RGB, at most `maxPixels` (never scaled up: each engine
// scales for itself). The first frame of an animation.
import sharp from 'sharp'
import type { OcrEngineImage } from '../../workers/ocr/ocr-engine'
import { contrastingBackground, DEFAULT_PREPROCESS_LIMITS } from '../../workers/ocr/preprocess'

export async function decodeForSeam(path: string, maxPixels = DEFAULT_PREPROCESS_LIMITS.maxPixels): Promise<OcrEngineImage> {
  const metadata = await sharp(path).metadata()
  const upright = (metadata.orientation ?? 1) >= 5
  const width = (upright ? metadata.height : metadata.width) ?? 0
  const height = (upright ? metadata.width : metadata.height) ?? 0
  const scale = Math.min(1, Math.sqrt(maxPixels / Math.max(1, width * height)))
  let pipeline = sharp(path).rotate()
  if (scale < 1) pipeline = pipeline.resize(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)), { fit: 'fill' })
  if (metadata.hasAlpha) {
    const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true })
    const background = contrastingBackground(data, info.channels)
    pipeline = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels as 4 } })
      .flatten({ background: { r: background, g: background, b: background } })
  }
  const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
  if (info.channels !== 3) throw new Error(`${path}: expected RGB after decoding, got ${info.channels} channels`)
  return { data, width: info.width, height: info.height, channels: 3 }
}
