import type sharp from 'sharp'
import { readFileInside } from '../media/contained-file'
import { openImage, UnsupportedImageFormatError } from '../media/image-decoder'

/**
 * The one decode of an image file that every model stage (tagger, CLIP, OCR) starts from: read once
 * inside its folder, EXIF orientation applied, sRGB, 8-bit, alpha kept unless opaque everywhere
 * (each stage flattens it its own way), first frame only, scaled down to at most DECODE_MAX_PIXELS (12 MP).
 * The model stages' runner decodes each image of a chunk once and hands the result to each stage
 * (`BatchItem.decoded`); a stage given only a path decodes through the same function.
 */
export interface DecodedImage {
  /** Interleaved 8-bit pixels, row by row, no padding. */
  data: Buffer
  width: number
  height: number
  /** 3 (RGB) or 4 (RGBA, some pixel not opaque); 1 or 2 only for a grey source sharp left grey. */
  channels: 1 | 2 | 3 | 4
  /** The file's own size as its header states it, before orientation and scaling. */
  source: { width: number; height: number; orientation: number }
}

/**
 * The pixel cap of the shared decode: larger images are scaled down to it. One value for every
 * stage (OCR's default budget), so a stage gets the very same pixels whichever other stages the
 * image is decoded for, and the same as when it decodes the file alone.
 */
export const DECODE_MAX_PIXELS = 12_000_000

/** What one stage needs of the decoded image. */
export interface DecodeNeed {
  /** Images with more pixels than this (from the header) are refused before decoding. */
  maxInputPixels: number
  /** Scale down to at most this many pixels (never up); the smallest cap of the stages wins. */
  maxPixels: number
}

/** Why an image could not be decoded; each stage words it as it always has (tagger/CLIP vs OCR). */
export type DecodeFailure =
  | { kind: 'unreadable'; error: unknown }
  | { kind: 'unsupported'; description: string }
  /** The decoder refused the bytes as it opened them (a broken BMP). */
  | { kind: 'unopenable'; error: unknown }
  | { kind: 'no-dimensions' }
  | { kind: 'too-large'; source: DecodedImage['source'] }
  | { kind: 'undecodable'; error: unknown }

/** A decode's result as handed to the stages: the image, or why there is none. */
export type Decoded = { ok: true; image: DecodedImage } | { ok: false; failure: DecodeFailure }

/** How a file's bytes are read: inside `root` when given (the containment rule of the product). */
export type ReadImageFile = (absPath: string, root?: string) => Promise<Buffer>

/** The pixel count of an image `width`×`height` upright (orientation 5–8 swaps the sides). */
export function uprightSize(source: DecodedImage['source']): { width: number; height: number } {
  const swapped = source.orientation >= 5
  return { width: swapped ? source.height : source.width, height: swapped ? source.width : source.height }
}

/**
 * Reads and decodes one file for the stages that need it. Never throws: a failure is returned,
 * so a chunk's bad image fails alone and each stage records it in its own words.
 *
 * @example
 * const decoded = await decodeImageFile('/pics/a.png', '/pics', [{ maxInputPixels: MAX_IMAGE_PIXELS, maxPixels: DECODE_MAX_PIXELS }])
 */
export async function decodeImageFile(absPath: string, root: string | undefined, needs: readonly DecodeNeed[], read: ReadImageFile = readFileInside): Promise<Decoded> {
  let bytes: Buffer
  try {
    bytes = await read(absPath, root)
  } catch (error) {
    return { ok: false, failure: { kind: 'unreadable', error } }
  }
  return decodeImage(bytes, needs)
}

/**
 * Decodes bytes already read. The header is read first (no pixels decoded) to refuse a huge image
 * and to compute the scale; then one sequential decode with the rotation and the one resize.
 */
export async function decodeImage(bytes: Buffer, needs: readonly DecodeNeed[]): Promise<Decoded> {
  const fail = (failure: DecodeFailure): Decoded => ({ ok: false, failure })
  const limit = Math.max(...needs.map((need) => need.maxInputPixels))
  let header: sharp.Sharp
  try {
    header = openImage(bytes, { limitInputPixels: false }).pipeline
  } catch (error) {
    if (error instanceof UnsupportedImageFormatError) return fail({ kind: 'unsupported', description: error.description })
    return fail({ kind: 'unopenable', error })
  }
  let source: DecodedImage['source']
  try {
    const metadata = await header.metadata()
    source = { width: metadata.width ?? 0, height: metadata.height ?? 0, orientation: metadata.orientation ?? 1 }
  } catch (error) {
    return fail({ kind: 'undecodable', error })
  }
  if (source.width <= 0 || source.height <= 0) return fail({ kind: 'no-dimensions' })
  if (source.width * source.height > limit) return fail({ kind: 'too-large', source })
  const { width, height } = uprightSize(source)
  const scale = scaleFor(width, height, needs)
  try {
    // 'truncated' rather than the default 'warning': a file cut short fails instead of feeding grey rows to a model.
    let decoding: sharp.Sharp = openImage(bytes, { failOn: 'truncated', limitInputPixels: limit, sequentialRead: true }).pipeline.rotate()
    if (scale < 1) decoding = decoding.resize(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)), { fit: 'fill', kernel: 'lanczos3' })
    const { data, info } = await decoding.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
    return { ok: true, image: { ...withoutOpaqueAlpha(data, info.channels), width: info.width, height: info.height, source } }
  } catch (error) {
    return fail({ kind: 'undecodable', error })
  }
}

/** The one scale for every stage: down to the smallest pixel cap, never up. */
export function scaleFor(width: number, height: number, needs: readonly DecodeNeed[]): number {
  return Math.min(1, Math.sqrt(Math.min(...needs.map((need) => need.maxPixels)) / (width * height)))
}

/**
 * An alpha channel that is 255 everywhere (common in PNG illustrations) dropped: flattening such
 * an image onto any background gives its colours unchanged, so every stage gets the same pixels,
 * without a flatten pass over 4 channels each.
 */
function withoutOpaqueAlpha(data: Buffer, channels: number): { data: Buffer; channels: DecodedImage['channels'] } {
  if (channels !== 2 && channels !== 4) return { data, channels: channels as DecodedImage['channels'] }
  for (let i = channels - 1; i < data.length; i += channels) if (data[i] !== 255) return { data, channels }
  const colours = channels - 1
  const out = Buffer.allocUnsafe((data.length / channels) * colours)
  for (let from = 0, to = 0; from < data.length; from += channels) {
    out[to++] = data[from]!
    if (colours === 3) {
      out[to++] = data[from + 1]!
      out[to++] = data[from + 2]!
    }
  }
  return { data: out, channels: colours as 1 | 3 }
}
