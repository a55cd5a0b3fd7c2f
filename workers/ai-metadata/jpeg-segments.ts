import { stripExifHeader } from './exif-user-comment'

// JPEG metadata lives in the marker segments before the scan data: APP1
// "Exif\0\0" blocks (A1111's UserComment), APP1 XMP, and COM segments that a
// few tools fill with the parameters text. Only the header is walked, so the
// cost does not depend on the image size.

const SOI = 0xd8
const EOI = 0xd9
const SOS = 0xda
const APP0 = 0xe0
const APP1 = 0xe1
const COM = 0xfe

const EXIF_ID = 'Exif\0'
const XMP_ID = 'http://ns.adobe.com/xap/1.0/\0'

export interface JpegMetadata {
  /** TIFF blocks from APP1 Exif segments, without the `Exif\0\0` prefix. */
  exif: Buffer[]
  /** COM segment texts (UTF-8 when valid, else Latin-1). */
  comments: string[]
  xmp?: string
}

export function isJpeg(buf: Buffer): boolean {
  return buf.length >= 3 && buf[0] === 0xff && buf[1] === SOI && buf[2] === 0xff
}

function hasNoLength(marker: number): boolean {
  // TEM and RSTn are bare markers without a length field.
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)
}

interface Segment {
  marker: number
  /** Offset of the 0xFF that starts the marker. */
  start: number
  /** Offset just past the segment. */
  end: number
  payload: Buffer
}

/** Yields header segments from SOI up to SOS/EOI, stopping at the first inconsistency. */
function* walkSegments(buf: Buffer): Generator<Segment> {
  if (buf.length < 2 || buf[0] !== 0xff || buf[1] !== SOI) return
  let offset = 2
  while (offset + 1 < buf.length) {
    if (buf[offset] !== 0xff) return
    // Any number of 0xFF fill bytes may precede a marker.
    let m = offset + 1
    while (m < buf.length && buf[m] === 0xff) m++
    if (m >= buf.length) return
    const marker = buf[m]!
    if (marker === SOS || marker === EOI) return
    if (hasNoLength(marker)) {
      offset = m + 1
      continue
    }
    if (m + 3 > buf.length) return
    const length = buf.readUInt16BE(m + 1)
    const end = m + 1 + length
    if (length < 2 || end > buf.length) return
    yield { marker, start: offset, end, payload: buf.subarray(m + 3, end) }
    offset = end
  }
}

function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return bytes.toString('latin1')
  }
}

/** Reads Exif blocks, COM texts and XMP from a JPEG header. Never throws. */
export function readJpegMetadata(buf: Buffer): JpegMetadata {
  const result: JpegMetadata = { exif: [], comments: [] }
  for (const seg of walkSegments(buf)) {
    if (seg.marker === APP1) {
      if (seg.payload.toString('latin1', 0, EXIF_ID.length) === EXIF_ID) {
        result.exif.push(stripExifHeader(seg.payload))
      } else if (result.xmp === undefined && seg.payload.toString('latin1', 0, XMP_ID.length) === XMP_ID) {
        result.xmp = seg.payload.toString('utf8', XMP_ID.length)
      }
    } else if (seg.marker === COM) {
      const text = decodeText(seg.payload).replace(/\0+$/, '')
      if (text.length > 0) result.comments.push(text)
    }
  }
  return result
}

// The segment length is a u16 that counts itself.
const MAX_SEGMENT_PAYLOAD = 0xffff - 2

/**
 * Returns a copy of `jpeg` with an APP1 Exif segment right after SOI, or after
 * the APP0/JFIF segment when there is one (JFIF requires APP0 to come first).
 * Accepts the block with or without the `Exif\0\0` prefix. Throws on a
 * non-JPEG or a block too large for one segment.
 */
export function insertJpegExif(jpeg: Buffer, exifBlock: Buffer): Buffer {
  if (jpeg.length < 2 || jpeg[0] !== 0xff || jpeg[1] !== SOI) throw new RangeError('not a JPEG')
  const tiff = stripExifHeader(exifBlock)
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])
  if (payload.length > MAX_SEGMENT_PAYLOAD) throw new RangeError('Exif block exceeds one JPEG segment (64 KiB)')

  let insertAt = 2
  const first = walkSegments(jpeg).next()
  if (!first.done && first.value.marker === APP0 && first.value.start === 2) insertAt = first.value.end

  const header = Buffer.alloc(4)
  header[0] = 0xff
  header[1] = APP1
  header.writeUInt16BE(payload.length + 2, 2)
  return Buffer.concat([jpeg.subarray(0, insertAt), header, payload, jpeg.subarray(insertAt)])
}
