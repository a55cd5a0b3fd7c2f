/**
 * The one way Sagasu hands untrusted bytes (library files, query images) to sharp. Importing this
 * module restricts libvips, for the whole process, to the loaders of the formats Sagasu reads:
 * every other loader — SVG (librsvg follows `<image href="file:…">` and XInclude next to the
 * file), TIFF, the libvips format, and whatever the build adds later — is blocked. On top of that,
 * `openImage` refuses bytes whose magic is not a raster format before sharp sees them, and decodes
 * from memory, so the loader has no file name to resolve references against.
 */
import sharp from 'sharp'
import { decodeBmp } from './bmp-decoder'
import { sniffImageFormat, type RasterFormat } from './image-format'

/**
 * The libvips loader families that stay available (each with its file, buffer and source forms).
 * BMP has no libvips loader: `bmp-decoder.ts` reads it and hands sharp raw pixels.
 */
const ALLOWED_LOADERS: readonly string[] = [
  'VipsForeignLoadPng',
  'VipsForeignLoadJpeg',
  'VipsForeignLoadNsgif',
  'VipsForeignLoadWebp',
  // HEIF holds AVIF; the bundled libheif decodes AV1 only.
  'VipsForeignLoadHeif',
]

/** The loader `withTrustedSvg` opens for Sagasu's own generated SVG (buffer input only). */
const TRUSTED_SVG_LOADER = 'VipsForeignLoadSvgBuffer'

/** sharp's own default ceiling (16383 × 16383), stated so every decode refuses the same images. */
export const MAX_IMAGE_PIXELS = 268_402_689

function restrictLoaders(): void {
  sharp.block({ operation: ['VipsForeignLoad'] })
  sharp.unblock({ operation: [...ALLOWED_LOADERS] })
}

restrictLoaders()

/** Bytes that are not one of the raster formats; `description` says what they are ("an SVG document"). */
export class UnsupportedImageFormatError extends Error {
  override name = 'UnsupportedImageFormatError'
  constructor(readonly description: string) {
    super(`the content is ${description}, not a PNG, JPEG, GIF, WebP, AVIF or BMP image`)
  }
}

export interface OpenedImage {
  format: RasterFormat
  pipeline: sharp.Sharp
}

/** Constructor options a caller may set; the input-handling ones stay this module's. */
export type DecodeOptions = Pick<sharp.SharpOptions, 'failOn' | 'limitInputPixels' | 'sequentialRead' | 'pages' | 'page' | 'animated'>

/**
 * A sharp pipeline over untrusted bytes, after their magic said PNG, JPEG, GIF, WebP, AVIF or BMP
 * (BMP decoded here, as raw pixels). Throws UnsupportedImageFormatError for anything else, and
 * BmpDecodeError for a broken BMP.
 *
 * @example
 * const { format, pipeline } = openImage(await readFile(path), { failOn: 'truncated' })
 */
export function openImage(bytes: Buffer, options: DecodeOptions = {}): OpenedImage {
  const sniffed = sniffImageFormat(bytes)
  if (!sniffed.raster) throw new UnsupportedImageFormatError(sniffed.description)
  const limitInputPixels = options.limitInputPixels ?? MAX_IMAGE_PIXELS
  if (sniffed.format === 'bmp') {
    const bmp = decodeBmp(bytes)
    return { format: 'bmp', pipeline: sharp(bmp.pixels, { limitInputPixels, raw: { width: bmp.width, height: bmp.height, channels: 4 } }) }
  }
  // `unlimited: false` keeps libvips' guards against decompression bombs in PNG and HEIF metadata.
  return { format: sniffed.format, pipeline: sharp(bytes, { failOn: 'truncated', ...options, limitInputPixels, unlimited: false }) }
}

/**
 * Raw pixels (from a BMP, or a resize step) as a pipeline; no loader is involved.
 *
 * @example
 * rawImage(pixels, { width: 4, height: 4, channels: 3 }).png().toBuffer()
 */
export function rawImage(pixels: Buffer, raw: sharp.CreateRaw): sharp.Sharp {
  return sharp(pixels, { raw })
}

let trustedSvgUsers = 0

/**
 * Runs `render` with the SVG buffer loader open, for SVG that Sagasu itself generated (the demo
 * and synthetic libraries, OCR fixtures). Untrusted bytes never reach sharp as SVG even meanwhile:
 * `openImage` refuses them by their magic.
 *
 * @example
 * const png = await withTrustedSvg(() => sharp(Buffer.from(svg)).png().toBuffer())
 */
export async function withTrustedSvg<T>(render: () => Promise<T>): Promise<T> {
  if (trustedSvgUsers++ === 0) sharp.unblock({ operation: [TRUSTED_SVG_LOADER] })
  try {
    return await render()
  } finally {
    if (--trustedSvgUsers === 0) sharp.block({ operation: [TRUSTED_SVG_LOADER] })
  }
}
