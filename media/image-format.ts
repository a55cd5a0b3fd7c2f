/**
 * What a file's bytes are, by their magic numbers alone, before anything decodes them. Sagasu
 * decodes only the raster formats below: a decoder handed anything else (an SVG, a PDF) may follow
 * references inside it to local files, so every decode of untrusted bytes asks here first.
 */

/** The formats Sagasu indexes and accepts as query images. */
export type RasterFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'avif' | 'bmp'

/** For messages: "send a PNG, JPEG, GIF, WebP, AVIF or BMP file". */
export const RASTER_FORMAT_LIST = 'a PNG, JPEG, GIF, WebP, AVIF or BMP file'

export type SniffedFormat =
  | { raster: true; format: RasterFormat; description: string }
  /** Anything else, described for a message: "an SVG document", "a PDF document", "text". */
  | { raster: false; description: string }

/** How many leading bytes `sniffImageFormat` looks at (text formats may start with a long prolog). */
export const SNIFF_BYTES = 4096

const RASTER_DESCRIPTION: Record<RasterFormat, string> = {
  png: 'a PNG image', jpeg: 'a JPEG image', gif: 'a GIF image', webp: 'a WebP image', avif: 'an AVIF image', bmp: 'a BMP image',
}

/**
 * The format the leading bytes announce. Only `raster: true` results may be handed to a decoder.
 *
 * @example
 * sniffImageFormat(readFileSync('a.png')) // { raster: true, format: 'png', description: 'a PNG image' }
 * sniffImageFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')) // { raster: false, description: 'an SVG document' }
 */
export function sniffImageFormat(head: Uint8Array): SniffedFormat {
  const bytes = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, SNIFF_BYTES))
  const raster = rasterFormat(bytes)
  if (raster) return { raster: true, format: raster, description: RASTER_DESCRIPTION[raster] }
  return { raster: false, description: describeOther(bytes) }
}

function startsWith(bytes: Buffer, magic: readonly number[] | string, at = 0): boolean {
  const expected = typeof magic === 'string' ? Buffer.from(magic, 'latin1') : Buffer.from(magic)
  return bytes.length >= at + expected.length && bytes.subarray(at, at + expected.length).equals(expected)
}

function rasterFormat(bytes: Buffer): RasterFormat | undefined {
  // "\x89PNG" alone: a damaged signature is a broken PNG to report as undecodable, not another format.
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return 'png'
  if (startsWith(bytes, [0xff, 0xd8, 0xff]) && !isJpegLs(bytes)) return 'jpeg'
  if (startsWith(bytes, 'GIF87a') || startsWith(bytes, 'GIF89a')) return 'gif'
  if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8)) return 'webp'
  if (isoBrands(bytes).some((brand) => brand === 'avif' || brand === 'avis')) return 'avif'
  // BITMAPFILEHEADER (14 bytes) and at least the size fields of the smallest info header.
  if (startsWith(bytes, 'BM') && bytes.length >= 26) return 'bmp'
  return undefined
}

/**
 * JPEG-LS (ITU T.87) starts like a JPEG, but its frame marker is SOF55 (FFF7), which no JPEG decoder
 * reads: found by the file-type fixtures (bench:formats), where four .jls files passed as JPEG. Walks
 * the marker segments in the sniffed head up to the first frame marker.
 */
function isJpegLs(bytes: Buffer): boolean {
  let at = 2
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!
    if (marker === 0xf7) return true
    // SOF0–SOF15 (but DHT, JPG and DAC, which share the range) or SOS: a JPEG decoders read.
    if ((marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xda) return false
    at += 2 + bytes.readUInt16BE(at + 2)
  }
  return false
}

/** The major and compatible brands of an ISO base media `ftyp` box (HEIF, AVIF, MP4, JPEG 2000). */
function isoBrands(bytes: Buffer): string[] {
  if (!startsWith(bytes, 'ftyp', 4)) return []
  const size = Math.min(bytes.readUInt32BE(0), bytes.length)
  const brands = [bytes.toString('latin1', 8, 12)]
  for (let at = 16; at + 4 <= size; at += 4) brands.push(bytes.toString('latin1', at, at + 4))
  return brands
}

function describeOther(bytes: Buffer): string {
  if (bytes.length === 0) return 'empty'
  if (startsWith(bytes, '%PDF-')) return 'a PDF document'
  if (startsWith(bytes, '%!')) return 'a PostScript document'
  if (startsWith(bytes, 'II*\0') || startsWith(bytes, 'MM\0*')) return 'a TIFF image'
  if (startsWith(bytes, [0x1f, 0x8b])) return 'gzip-compressed data (an SVGZ or another compressed file)'
  if (startsWith(bytes, 'PK\x03\x04')) return 'a ZIP archive'
  if (startsWith(bytes, '8BPS')) return 'a Photoshop document'
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, 'JXL ', 4)) return 'a JPEG XL image'
  if (startsWith(bytes, 'jP  ', 4) || startsWith(bytes, [0xff, 0x4f, 0xff, 0x51])) return 'a JPEG 2000 image'
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'a JPEG-LS image'
  if (startsWith(bytes, [0, 0, 1, 0]) || startsWith(bytes, [0, 0, 2, 0])) return 'a Windows icon'
  if (startsWith(bytes, 'ftyp', 4)) return /^(heic|heix|heim|heis|hevc|hevx|mif1|msf1)$/.test(bytes.toString('latin1', 8, 12)) ? 'a HEIC image' : 'an ISO media file (video or HEIF without AV1)'
  if (startsWith(bytes, 'RIFF')) return 'a RIFF file that is not WebP'
  if (startsWith(bytes, 'BM')) return 'a truncated BMP header'
  if (/^P[1-7]\s/.test(bytes.toString('latin1', 0, 3))) return 'a Netpbm image'
  if (startsWith(bytes, 'SIMPLE  =')) return 'a FITS image'
  return describeText(bytes) ?? 'data of an unknown format'
}

/** SVG, XML and HTML by their first markup; other text as text. Binary data gives undefined. */
function describeText(bytes: Buffer): string | undefined {
  let text = bytes.toString('utf8')
  if (text.includes('\0') || text.includes('\uFFFD')) {
    // UTF-16 text (a BOM) is still text to a decoder: librsvg reads UTF-16 SVG.
    if (startsWith(bytes, [0xff, 0xfe])) text = bytes.toString('utf16le')
    else if (startsWith(bytes, [0xfe, 0xff])) text = Buffer.from(bytes).swap16().toString('utf16le')
    // Markup in an 8-bit encoding (an XML prolog naming Windows-1251: one of resvg's test files) is
    // still markup: its tags are ASCII whatever the encoding.
    else if (!text.includes('\0') && bytes.toString('latin1').trimStart().startsWith('<')) text = bytes.toString('latin1')
    else return undefined
  }
  const trimmed = text.replace(/^\uFEFF/, '').trimStart().toLowerCase()
  if (trimmed.startsWith('<')) {
    if (/<svg[\s>/:]/.test(trimmed) || trimmed.startsWith('<!doctype svg')) return 'an SVG document'
    if (trimmed.startsWith('<!doctype html') || trimmed.startsWith('<html')) return 'an HTML document'
    // An XML prolog, comments or a DOCTYPE longer than the sniffed bytes may still hide an <svg>.
    return 'an XML document'
  }
  return 'text'
}

/**
 * The 400 message for a query image that is not one of the raster formats, or undefined when it is.
 *
 * @example
 * queryImageProblem(Buffer.from('<svg/>')) // 'image: an SVG document; send a PNG, JPEG, GIF, WebP, AVIF or BMP file'
 */
export function queryImageProblem(bytes: Uint8Array): string | undefined {
  const sniffed = sniffImageFormat(bytes)
  return sniffed.raster ? undefined : `image: ${sniffed.description}; send ${RASTER_FORMAT_LIST}`
}
