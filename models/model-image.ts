import { MAX_IMAGE_PIXELS, rawImage } from '../media/image-decoder'
import { describeSharpError } from '../media/sharp-error'
import { DECODE_MAX_PIXELS, decodeImageFile, type DecodedImage, type DecodeFailure, type DecodeNeed, type Decoded } from './decoded-image'

/**
 * Turning an image into a model's input: alpha flattened onto white, 3-channel sRGB out, resized
 * to the model's square or shortest side. The pixels come from the one decode every model stage
 * shares (`decoded-image.ts`: EXIF orientation applied, first frame only, at most 12 MP);
 * images over MAX_MODEL_IMAGE_PIXELS are refused before decoding.
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
 * What the tagger and CLIP need decoded. Not a smaller size for their small inputs: a decode
 * scaled for them would give each model other pixels depending on the stages sharing the decode.
 */
export const MODEL_DECODE_NEED: DecodeNeed = { maxInputPixels: MAX_MODEL_IMAGE_PIXELS, maxPixels: DECODE_MAX_PIXELS }

/**
 * @example
 * const { data } = await loadModelImage('/pics/a.png', 448, 'pad-white') // 448×448×3 bytes
 */
export async function loadModelImage(absPath: string, size: number, fit: ModelImageFit, root?: string): Promise<ModelImage> {
  return modelImageFrom(await decodeImageFile(absPath, root, [MODEL_DECODE_NEED]), size, fit)
}

/** The model input from a decode (this stage's own, or the one the chunk runner shared); throws ModelImageError. */
export async function modelImageFrom(decoded: Decoded, size: number, fit: ModelImageFit): Promise<ModelImage> {
  if (!decoded.ok) throw new ModelImageError(describeFailure(decoded.failure))
  const { image } = decoded
  // The other stages of a chunk may accept a few more pixels (OCR's limit is 16384²): this stage's own limit still holds.
  if (image.source.width * image.source.height > MAX_MODEL_IMAGE_PIXELS) throw new ModelImageError(describeFailure({ kind: 'too-large', source: image.source }))
  try {
    return await resizeForModel(image, size, fit)
  } catch (error) {
    throw new ModelImageError(`cannot decode the image: ${describeSharpError(error)}`)
  }
}

async function resizeForModel(image: DecodedImage, size: number, fit: ModelImageFit): Promise<ModelImage> {
  const resized = rawImage(image.data, { width: image.width, height: image.height, channels: image.channels }).flatten({ background: WHITE }).toColourspace('srgb')
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
}

/** The reasons the model stages have always recorded. */
function describeFailure(failure: DecodeFailure): string {
  switch (failure.kind) {
    case 'unreadable':
      return /ENOENT/.test(String(failure.error)) ? 'the file no longer exists' : `cannot read the file: ${describeSharpError(failure.error)}`
    case 'unsupported':
      return `not a supported image: the content is ${failure.description}`
    case 'unopenable':
      return failure.error instanceof Error ? failure.error.message : String(failure.error)
    case 'no-dimensions':
      return 'cannot decode the image: no image dimensions'
    case 'too-large':
      return `the image is too large for the model stages: ${failure.source.width}×${failure.source.height} pixels, more than ${MAX_MODEL_IMAGE_PIXELS} (16383×16383)`
    case 'undecodable': {
      const message = describeSharpError(failure.error)
      if (/^is missing|no such file|ENOENT/i.test(message)) return 'the file no longer exists'
      return `cannot decode the image: ${message}`
    }
  }
}
