// Minimal TIFF/EXIF reader and writer for the few text tags generators use.
// A1111/Forge save their "parameters" text as EXIF UserComment in JPEG/WebP;
// ComfyUI's WebP savers put "prompt:{json}" / "workflow:{json}" in Model/Make.
// Files come from untrusted collections, so every offset is bounds-checked
// and corrupt input yields undefined rather than an exception.

/** Text-bearing EXIF tags that may carry generation parameters. */
export interface ExifText {
  userComment?: string
  imageDescription?: string
  /** 0x010F; ComfyUI WebP savers store "workflow:{json}" here. */
  make?: string
  /** 0x0110; ComfyUI WebP savers store "prompt:{json}" here. */
  model?: string
}

const TAG_IMAGE_DESCRIPTION = 0x010e
const TAG_MAKE = 0x010f
const TAG_MODEL = 0x0110
const TAG_EXIF_IFD = 0x8769
const TAG_USER_COMMENT = 0x9286

const TYPE_ASCII = 2
const TYPE_LONG = 4
const TYPE_UNDEFINED = 7

// Byte size per component for TIFF field types 1..13 (index 0 unused).
const TYPE_SIZES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4]

// Cap how many IFD entries we look at; real IFDs hold a few dozen, and a
// corrupt count of 65535 should not make us scan garbage.
const MAX_IFD_ENTRIES = 512

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1')

/** Strips the `Exif\0\0` APP1 identifier if present, returning the TIFF block. */
export function stripExifHeader(block: Buffer): Buffer {
  // Some writers use "Exif\0" followed by a non-zero pad byte; only the first
  // five bytes identify the block.
  if (block.length >= 6 && block.toString('latin1', 0, 5) === 'Exif\0') return block.subarray(6)
  return block
}

interface IfdEntry {
  tag: number
  type: number
  count: number
  /** Offset of the value bytes within the TIFF block. */
  valueOffset: number
  byteLength: number
}

interface TiffView {
  tiff: Buffer
  le: boolean
}

function u16(v: TiffView, at: number): number {
  return v.le ? v.tiff.readUInt16LE(at) : v.tiff.readUInt16BE(at)
}

function u32(v: TiffView, at: number): number {
  return v.le ? v.tiff.readUInt32LE(at) : v.tiff.readUInt32BE(at)
}

function readIfd(v: TiffView, offset: number): IfdEntry[] {
  const { tiff } = v
  if (offset < 8 || offset + 2 > tiff.length) return []
  const declared = u16(v, offset)
  const fitting = Math.floor((tiff.length - offset - 2) / 12)
  const count = Math.min(declared, fitting, MAX_IFD_ENTRIES)
  const entries: IfdEntry[] = []
  for (let i = 0; i < count; i++) {
    const at = offset + 2 + i * 12
    const type = u16(v, at + 2)
    const componentCount = u32(v, at + 4)
    const size = TYPE_SIZES[type] ?? 0
    if (size === 0) continue
    const byteLength = size * componentCount
    const valueOffset = byteLength <= 4 ? at + 8 : u32(v, at + 8)
    if (valueOffset + byteLength > tiff.length) continue
    entries.push({ tag: u16(v, at), type, count: componentCount, valueOffset, byteLength })
  }
  return entries
}

function entryBytes(v: TiffView, e: IfdEntry): Buffer {
  return v.tiff.subarray(e.valueOffset, e.valueOffset + e.byteLength)
}

function trimNuls(text: string): string {
  return text.replace(/\0+$/, '')
}

function decodeAsciiField(bytes: Buffer): string | undefined {
  // ASCII tags are nominally 7-bit, but Windows tools and Pillow write UTF-8.
  const text = trimNuls(decodeUtf8OrLatin1(bytes))
  return text.length > 0 ? text : undefined
}

function decodeUtf8OrLatin1(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  }
}

/**
 * Scores how implausible a decoded string is: private-use characters, lone
 * surrogates and control characters are what the wrong UTF-16 byte order
 * produces, while real prompts are made of letters, punctuation and CJK.
 */
function implausibility(text: string): number {
  let score = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
      else score += 4
    } else if (c >= 0xdc00 && c <= 0xdfff) score += 4
    else if (c >= 0xe000 && c <= 0xf8ff) score += 2
    else if (c < 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) score += 3
    else if (c >= 0x7f && c < 0xa0) score += 3
    else if (c === 0xfffe || c === 0xffff) score += 4
  }
  return score
}

function decodeUtf16(bytes: Buffer, bigEndian: boolean): string {
  const even = bytes.subarray(0, bytes.length & ~1)
  if (!bigEndian) return even.toString('utf16le')
  const swapped = Buffer.from(even)
  swapped.swap16()
  return swapped.toString('utf16le')
}

/**
 * EXIF says UNICODE follows the TIFF byte order, but piexif (used by A1111 and
 * Forge) always writes UTF-16BE inside a little-endian TIFF, and other tools
 * write LE. So the order is decided from the data: BOM first, then where the
 * zero high bytes of ASCII-range characters sit, then plausibility.
 */
function decodeUnicodeComment(body: Buffer): string {
  if (body.length >= 2) {
    if (body[0] === 0xfe && body[1] === 0xff) return decodeUtf16(body.subarray(2), true)
    if (body[0] === 0xff && body[1] === 0xfe) return decodeUtf16(body.subarray(2), false)
  }
  let zeroEven = 0
  let zeroOdd = 0
  for (let i = 0; i + 1 < body.length; i += 2) {
    if (body[i] === 0 && body[i + 1] !== 0) zeroEven++
    else if (body[i + 1] === 0 && body[i] !== 0) zeroOdd++
  }
  if (zeroEven !== zeroOdd) return decodeUtf16(body, zeroEven > zeroOdd)
  const be = decodeUtf16(body, true)
  const le = decodeUtf16(body, false)
  // Ties go to big-endian because that is what A1111 writes.
  return implausibility(le) < implausibility(be) ? le : be
}

function decodeJisComment(body: Buffer): string {
  // "JIS" is rare and loosely followed; in practice it is UTF-8 or Shift_JIS.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch {
    try {
      return new TextDecoder('shift_jis').decode(body)
    } catch {
      return body.toString('latin1')
    }
  }
}

/** Decodes a UserComment value: an 8-byte charset id followed by the text. */
export function decodeUserComment(value: Buffer): string | undefined {
  if (value.length < 8) {
    const text = trimNuls(decodeUtf8OrLatin1(value))
    return text.length > 0 ? text : undefined
  }
  const prefix = value.toString('latin1', 0, 8)
  const body = value.subarray(8)
  let text: string
  if (prefix === 'UNICODE\0') text = decodeUnicodeComment(body)
  else if (prefix === 'ASCII\0\0\0') text = decodeUtf8OrLatin1(body)
  else if (prefix.startsWith('JIS\0')) text = decodeJisComment(body)
  else if (prefix === '\0\0\0\0\0\0\0\0') text = decodeUtf8OrLatin1(body)
  // No recognised charset id: some tools write the bare text.
  else text = decodeUtf8OrLatin1(value)
  text = trimNuls(text)
  // Cameras pad UserComment with spaces; that is not a comment.
  return text.trim().length > 0 ? text : undefined
}

/**
 * Reads UserComment, ImageDescription, Make and Model from a TIFF/EXIF block
 * (with or without the `Exif\0\0` prefix). Corrupt data gives undefined.
 */
export function readExifText(block: Buffer): ExifText | undefined {
  const tiff = stripExifHeader(block)
  if (tiff.length < 8) return undefined
  const order = tiff.toString('latin1', 0, 2)
  if (order !== 'II' && order !== 'MM') return undefined
  const v: TiffView = { tiff, le: order === 'II' }
  if (u16(v, 2) !== 42) return undefined

  const fields = new Map<keyof ExifText, string | undefined>()
  const ifd0 = readIfd(v, u32(v, 4))
  let exifIfdOffset: number | undefined
  for (const e of ifd0) {
    if (e.tag === TAG_EXIF_IFD && e.count === 1 && e.byteLength === 4) exifIfdOffset = u32(v, e.valueOffset)
    else if (e.tag === TAG_IMAGE_DESCRIPTION) fields.set('imageDescription', decodeAsciiField(entryBytes(v, e)))
    else if (e.tag === TAG_MAKE) fields.set('make', decodeAsciiField(entryBytes(v, e)))
    else if (e.tag === TAG_MODEL) fields.set('model', decodeAsciiField(entryBytes(v, e)))
    // A few writers misplace UserComment in IFD0; accept it there too.
    else if (e.tag === TAG_USER_COMMENT) fields.set('userComment', decodeUserComment(entryBytes(v, e)))
  }
  if (exifIfdOffset !== undefined) {
    const comment = readIfd(v, exifIfdOffset).find((e) => e.tag === TAG_USER_COMMENT)
    const text = comment && decodeUserComment(entryBytes(v, comment))
    if (text !== undefined) fields.set('userComment', text)
  }
  const result: ExifText = {}
  for (const [key, value] of fields) if (value !== undefined) result[key] = value
  return Object.keys(result).length > 0 ? result : undefined
}

/** The EXIF UserComment text of a TIFF/EXIF block, or undefined. */
export function readExifUserComment(block: Buffer): string | undefined {
  return readExifText(block)?.userComment
}

export interface WriteExifOptions {
  /** Prefix with `Exif\0\0`, as JPEG APP1 needs; WebP EXIF chunks omit it. */
  exifHeader?: boolean
  /** Also write IFD0 ImageDescription (UTF-8). */
  imageDescription?: string
}

interface PendingEntry {
  tag: number
  type: number
  count: number
  /** Inline value (<= 4 bytes) or out-of-line data. */
  data: Buffer
}

/**
 * Builds a minimal little-endian TIFF block: IFD0 → ExifIFD → UserComment,
 * with the UNICODE charset id and UTF-16BE text exactly as A1111/piexif write
 * it, so tests exercise the same byte layout real files have.
 */
export function writeExifUserComment(text: string, opts: WriteExifOptions = {}): Buffer {
  const utf16be = Buffer.from(text, 'utf16le').swap16()
  const comment = Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), utf16be])

  const ifd0: PendingEntry[] = []
  if (opts.imageDescription !== undefined) {
    const desc = Buffer.concat([Buffer.from(opts.imageDescription, 'utf8'), Buffer.from([0])])
    ifd0.push({ tag: TAG_IMAGE_DESCRIPTION, type: TYPE_ASCII, count: desc.length, data: desc })
  }
  // The ExifIFD pointer value is patched once the layout is known.
  ifd0.push({ tag: TAG_EXIF_IFD, type: TYPE_LONG, count: 1, data: Buffer.alloc(4) })
  const exifIfd: PendingEntry[] = [{ tag: TAG_USER_COMMENT, type: TYPE_UNDEFINED, count: comment.length, data: comment }]

  const ifdSize = (entries: PendingEntry[]): number => 2 + entries.length * 12 + 4
  const pad = (n: number): number => n + (n & 1)
  const outOfLine = (entries: PendingEntry[]): number =>
    entries.reduce((sum, e) => sum + (e.data.length > 4 ? pad(e.data.length) : 0), 0)

  const ifd0Offset = 8
  const ifd0DataOffset = ifd0Offset + ifdSize(ifd0)
  const exifIfdOffset = pad(ifd0DataOffset + outOfLine(ifd0))
  const exifDataOffset = exifIfdOffset + ifdSize(exifIfd)
  const total = exifDataOffset + outOfLine(exifIfd)

  const tiff = Buffer.alloc(total)
  tiff.write('II', 0, 'latin1')
  tiff.writeUInt16LE(42, 2)
  tiff.writeUInt32LE(ifd0Offset, 4)
  ifd0[ifd0.length - 1]!.data.writeUInt32LE(exifIfdOffset, 0)

  const writeIfd = (entries: PendingEntry[], at: number, dataAt: number): void => {
    tiff.writeUInt16LE(entries.length, at)
    let cursor = dataAt
    entries.forEach((e, i) => {
      const p = at + 2 + i * 12
      tiff.writeUInt16LE(e.tag, p)
      tiff.writeUInt16LE(e.type, p + 2)
      tiff.writeUInt32LE(e.count, p + 4)
      if (e.data.length <= 4) e.data.copy(tiff, p + 8)
      else {
        tiff.writeUInt32LE(cursor, p + 8)
        e.data.copy(tiff, cursor)
        cursor += pad(e.data.length)
      }
    })
    tiff.writeUInt32LE(0, at + 2 + entries.length * 12)
  }
  writeIfd(ifd0, ifd0Offset, ifd0DataOffset)
  writeIfd(exifIfd, exifIfdOffset, exifDataOffset)

  return opts.exifHeader ? Buffer.concat([EXIF_HEADER, tiff]) : tiff
}
