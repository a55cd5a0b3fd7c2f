import { stripExifHeader } from './exif-user-comment'

// WebP is a RIFF container; A1111/Forge put their parameters in the EXIF
// chunk (as a UserComment), some tools in XMP. Metadata chunks are only
// legal in the extended format, which starts with a VP8X chunk whose flags
// announce them, so writing EXIF into a simple VP8/VP8L file means building
// that VP8X header from the bitstream's own dimensions.

const VP8X_EXIF = 0x08
const VP8X_ALPHA = 0x10
const VP8X_XMP = 0x04

export interface WebpMetadata {
  /** TIFF block from the EXIF chunk, without an `Exif\0\0` prefix. */
  exif?: Buffer
  xmp?: string
}

interface RiffChunk {
  fourcc: string
  data: Buffer
}

export function isWebp(buf: Buffer): boolean {
  return buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP'
}

/** Reads the chunk list, stopping at the first chunk that runs past the data. */
function readChunks(buf: Buffer): RiffChunk[] {
  const chunks: RiffChunk[] = []
  if (!isWebp(buf)) return chunks
  // Trust the RIFF size only when it fits; trailing junk after it is ignored.
  const riffEnd = Math.min(buf.length, 8 + buf.readUInt32LE(4))
  let offset = 12
  while (offset + 8 <= riffEnd) {
    const fourcc = buf.toString('latin1', offset, offset + 4)
    const size = buf.readUInt32LE(offset + 4)
    const dataStart = offset + 8
    if (dataStart + size > riffEnd) break
    chunks.push({ fourcc, data: buf.subarray(dataStart, dataStart + size) })
    // Chunks are padded to an even size.
    offset = dataStart + size + (size & 1)
  }
  return chunks
}

/** Reads the EXIF and XMP chunks of a WebP. Never throws. */
export function readWebpMetadata(buf: Buffer): WebpMetadata {
  const result: WebpMetadata = {}
  for (const chunk of readChunks(buf)) {
    if (chunk.fourcc === 'EXIF' && result.exif === undefined) result.exif = stripExifHeader(chunk.data)
    else if (chunk.fourcc === 'XMP ' && result.xmp === undefined) result.xmp = chunk.data.toString('utf8')
  }
  return result
}

interface Canvas {
  width: number
  height: number
  alpha: boolean
}

/** Canvas size from a VP8 (lossy) or VP8L (lossless) bitstream header. */
function bitstreamCanvas(chunk: RiffChunk): Canvas | undefined {
  const d = chunk.data
  if (chunk.fourcc === 'VP8 ') {
    // 3-byte frame tag, then the 9D 01 2A start code, then 14-bit dimensions.
    if (d.length < 10 || d[3] !== 0x9d || d[4] !== 0x01 || d[5] !== 0x2a) return undefined
    return { width: d.readUInt16LE(6) & 0x3fff, height: d.readUInt16LE(8) & 0x3fff, alpha: false }
  }
  if (chunk.fourcc === 'VP8L') {
    // Signature 0x2F, then width-1 (14 bits), height-1 (14 bits), alpha_is_used (1 bit).
    if (d.length < 5 || d[0] !== 0x2f) return undefined
    const bits = d.readUInt32LE(1)
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, alpha: ((bits >>> 28) & 1) === 1 }
  }
  return undefined
}

function encodeChunk(fourcc: string, data: Buffer): Buffer {
  const header = Buffer.alloc(8)
  header.write(fourcc, 0, 'latin1')
  header.writeUInt32LE(data.length, 4)
  return data.length & 1 ? Buffer.concat([header, data, Buffer.alloc(1)]) : Buffer.concat([header, data])
}

function vp8xChunk(canvas: Canvas, flags: number): RiffChunk {
  const data = Buffer.alloc(10)
  data[0] = flags
  data.writeUIntLE(canvas.width - 1, 4, 3)
  data.writeUIntLE(canvas.height - 1, 7, 3)
  return { fourcc: 'VP8X', data }
}

/**
 * Returns a copy of `webp` carrying `tiff` as its EXIF chunk (replacing any
 * existing one), converting a simple VP8/VP8L file to the extended format
 * and fixing the RIFF size. Accepts the block with or without `Exif\0\0`;
 * the chunk is written without it, as libwebp and exiftool expect. Throws
 * when the input is not a WebP it can understand.
 */
export function insertWebpExif(webp: Buffer, tiff: Buffer): Buffer {
  const chunks = readChunks(webp)
  if (chunks.length === 0) throw new RangeError('not a WebP')
  const exif: RiffChunk = { fourcc: 'EXIF', data: Buffer.from(stripExifHeader(tiff)) }

  let out: RiffChunk[]
  const first = chunks[0]!
  if (first.fourcc === 'VP8X') {
    if (first.data.length < 10) throw new RangeError('corrupt VP8X chunk')
    const vp8x = { fourcc: 'VP8X', data: Buffer.from(first.data) }
    vp8x.data[0] = vp8x.data[0]! | VP8X_EXIF
    const rest = chunks.slice(1).filter((c) => c.fourcc !== 'EXIF')
    // The spec orders EXIF after the image data and before XMP.
    const xmpAt = rest.findIndex((c) => c.fourcc === 'XMP ')
    out = xmpAt < 0 ? [vp8x, ...rest, exif] : [vp8x, ...rest.slice(0, xmpAt), exif, ...rest.slice(xmpAt)]
  } else {
    const canvas = bitstreamCanvas(first)
    if (!canvas) throw new RangeError(`unsupported WebP bitstream chunk ${JSON.stringify(first.fourcc)}`)
    // A simple file should hold nothing but the bitstream, but keep stray
    // chunks rather than silently drop data.
    const rest = chunks.slice(1).filter((c) => c.fourcc !== 'EXIF')
    const hasXmp = rest.some((c) => c.fourcc === 'XMP ')
    const flags = VP8X_EXIF | (canvas.alpha ? VP8X_ALPHA : 0) | (hasXmp ? VP8X_XMP : 0)
    out = [vp8xChunk(canvas, flags), first, ...rest.filter((c) => c.fourcc !== 'XMP '), exif, ...rest.filter((c) => c.fourcc === 'XMP ')]
  }

  const body = Buffer.concat(out.map((c) => encodeChunk(c.fourcc, c.data)))
  const header = Buffer.alloc(12)
  header.write('RIFF', 0, 'latin1')
  header.writeUInt32LE(4 + body.length, 4)
  header.write('WEBP', 8, 'latin1')
  return Buffer.concat([header, body])
}
