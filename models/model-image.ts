import { readFileInside } from '../media/contained-file'
import type sharp from 'sharp'
import { MAX_IMAGE_PIXELS, openImage, rawImage, UnsupportedImageFormatError } from '../media/image-decoder'
import { describeSharpError } from '../media/sharp-error'

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
export const MAX_MODEL_IMAGE_PIXELS = MAX_IMAGE_PIXELS

export class ModelImageError extends Error {
  override name = 'ModelImageError'
}

const WHITE = { r: 255, g: 255, b: 255 }

/**
 * @example
 * const { data } = await loadModelImage('/pics/a.png', 448, 'pad-white') // 448×448×3 bytes
 */
export async function loadModelImage(absPath: string, size: number, fit: ModelImageFit, root?: string): Promise<ModelImage> {
  // The whole file into memory, then decoded from there: the format is checked on the very bytes
  // decoded, and the decoder gets no file name to resolve references against.
  const bytes = await readFileInside(absPath, root).catch((error: unknown) => {
    throw new ModelImageError(/ENOENT/.test(String(error)) ? 'the file no longer exists' : `cannot read the file: ${describeSharpError(error)}`)
  })
  const input = open(bytes)
  try {
    const resized = input.pipeline.rotate().flatten({ background: WHITE }).toColourspace('srgb')
    if (fit === 'pad-white') resized.resize(size, size, { fit: 'contain', background: WHITE, kernel: 'cubic' })
    else if (fit === 'cover') resized.resize(size, size, { fit: 'outside', kernel: 'cubic' })
    else resized.resize(size, size, { fit: 'inside' })
    const { data, info } = await resized.removeAlpha().raw().toBuffer({ resolveWithObject: true })
    if (fit !== 'pad-edge' || (info.width === size && info.height === size)) return { data, width: info.width, height: info.height }
    const left = Math.floor((size - info.width) / 2)
    const top = Math.floor((size - info.height) / 2)
    const padded = await rawImage(data, { width: info.width, height: info.height, channels: 3 })
      .extend({ left, right: size - info.width - left, top, bottom: size - info.height - top, extendWith: 'copy' })
      .raw()
      .toBuffer()
    return { data: padded, width: size, height: size }
  } catch (error) {
    if (error instanceof ModelImageError) throw error
    throw new ModelImageError(await describeDecodeFailure(bytes, error))
  }
}

function open(bytes: Buffer): { pipeline: sharp.Sharp } {
  try {
    // 'truncated' rather than the default 'warning': a file cut short fails instead of feeding grey rows to the model.
    return openImage(bytes)
  } catch (error) {
    if (error instanceof UnsupportedImageFormatError) throw new ModelImageError(`not a supported image: the content is ${error.description}`)
    throw new ModelImageError(error instanceof Error ? error.message : String(error))
  }
}

async function describeDecodeFailure(bytes: Buffer, error: unknown): Promise<string> {
  const message = describeSharpError(error)
  if (/pixel limit/i.test(message)) {
    const meta = await openImage(bytes, { limitInputPixels: false }).pipeline.metadata().catch(() => undefined)
    const size = meta?.width && meta.height ? `${meta.width}×${meta.height}` : 'larger than the limit'
    return `the image is too large for the model stages: ${size} pixels, more than ${MAX_MODEL_IMAGE_PIXELS} (16383×16383)`
  }
  if (/^is missing|no such file|ENOENT/i.test(message)) return 'the file no longer exists'
  return `cannot decode the image: ${message}`
}
