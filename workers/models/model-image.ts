import { readFile } from 'node:fs/promises'
import sharp from 'sharp'
import { decodeBmp, isBmp } from '../stages/bmp-decoder'
import { describeSharpError } from '../stages/probe.stage'
import { extensionOf } from '../stage'

/**
 * Decoding and resizing an image for a model: EXIF orientation applied, alpha flattened onto
 * white, first frame only (animated GIF/WebP), 3-channel sRGB out. libvips streams the resize, so
 * memory stays near the output size whatever the input; images over MAX_MODEL_IMAGE_PIXELS are
 * refused before decoding.
 */
export type ModelImageFit =
  /** Pad to a square with white, then resize (WD14). */
  | 'pad-white'
  /** Resize to fit inside the square keeping the aspect ratio, then extend the edge pixels (DeepDanbooru). */
  | 'pad-edge'
  /** Resize so the shorter side is `size`, no crop (CLIP's processor crops the centre itself). */
  | 'cover'

export interface ModelImage {
  /** RGB bytes, row by row. */
  data: Buffer
  width: number
  height: number
}

/** sharp's own default ceiling (16383 × 16383), stated so every model stage refuses the same images. */
export const MAX_MODEL_IMAGE_PIXELS = 268_402_689

export class ModelImageError extends Error {
  override name = 'ModelImageError'
}

const WHITE = { r: 255, g: 255, b: 255 }

/**
 * @example
 * const { data } = await loadModelImage('/pics/a.png', 448, 'pad-white') // 448×448×3 bytes
 */
export async function loadModelImage(absPath: string, size: number, fit: ModelImageFit): Promise<ModelImage> {
  const input = await openImage(absPath)
  try {
    const resized = input.pipeline.rotate().flatten({ background: WHITE }).toColourspace('srgb')
    if (fit === 'pad-white') resized.resize(size, size, { fit: 'contain', background: WHITE, kernel: 'cubic' })
    else if (fit === 'cover') resized.resize(size, size, { fit: 'outside', kernel: 'cubic' })
    else resized.resize(size, size, { fit: 'inside' })
    const { data, info } = await resized.removeAlpha().raw().toBuffer({ resolveWithObject: true })
    if (fit !== 'pad-edge' || (info.width === size && info.height === size)) return { data, width: info.width, height: info.height }
    const left = Math.floor((size - info.width) / 2)
    const top = Math.floor((size - info.height) / 2)
    const padded = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
      .extend({ left, right: size - info.width - left, top, bottom: size - info.height - top, extendWith: 'copy' })
      .raw()
      .toBuffer()
    return { data: padded, width: size, height: size }
  } catch (error) {
    if (error instanceof ModelImageError) throw error
    throw new ModelImageError(await describeDecodeFailure(absPath, error))
  }
}

async function openImage(absPath: string): Promise<{ pipeline: sharp.Sharp }> {
  // sharp's libvips has no BMP loader; the import pipeline's own decoder reads them.
  if (extensionOf(absPath) === 'bmp') {
    const buffer = await readFile(absPath).catch((error: unknown) => {
      throw new ModelImageError(`cannot read the file: ${describeSharpError(error)}`)
    })
    if (isBmp(buffer)) {
      try {
        const bmp = decodeBmp(buffer)
        return { pipeline: sharp(bmp.pixels, { raw: { width: bmp.width, height: bmp.height, channels: 4 } }) }
      } catch (error) {
        throw new ModelImageError(error instanceof Error ? error.message : String(error))
      }
    }
  }
  // 'truncated' rather than the default 'warning': a file cut short fails instead of feeding grey rows to the model.
  return { pipeline: sharp(absPath, { failOn: 'truncated', limitInputPixels: MAX_MODEL_IMAGE_PIXELS }) }
}

async function describeDecodeFailure(absPath: string, error: unknown): Promise<string> {
  const message = describeSharpError(error)
  if (/pixel limit/i.test(message)) {
    const meta = await sharp(absPath, { limitInputPixels: false }).metadata().catch(() => undefined)
    const size = meta?.width && meta.height ? `${meta.width}×${meta.height}` : 'larger than the limit'
    return `the image is too large for the model stages: ${size} pixels, more than ${MAX_MODEL_IMAGE_PIXELS} (16383×16383)`
  }
  if (/^is missing|no such file|ENOENT/i.test(message)) return 'the file no longer exists'
  return `cannot decode the image: ${message}`
}
