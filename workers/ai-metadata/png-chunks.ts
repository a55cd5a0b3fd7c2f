import { deflateSync } from 'node:zlib'
import { crc32 } from './crc32'
import { decodeLatin1Text } from './decode-text'
import { readExifText, stripExifHeader, type ExifText } from './exif-user-comment'
import { inflateCapped } from './inflate-capped'

// PNG text chunks are where A1111 ("parameters"), ComfyUI ("prompt",
// "workflow") and NovelAI ("Comment", ...) keep their settings. Collections
// contain truncated downloads and hand-edited files, so the walker returns
// whatever it read before the damage instead of throwing.

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

// The PNG spec limits chunk lengths to 2^31-1; larger means corruption.
const MAX_CHUNK_LENGTH = 0x7fffffff
// Keywords are 1-79 bytes; the search window also covers the NUL.
const MAX_KEYWORD_BYTES = 79

export function isPng(buf: Buffer): boolean {
  return buf.length >= 8 && buf.subarray(0, 8).equals(PNG_SIGNATURE)
}

interface PngChunk {
  type: string
  /** Offset of the chunk's length field. */
  start: number
  data: Buffer
}

/** Yields chunks up to and including IEND, stopping silently at the first damage. */
function* walkChunks(buf: Buffer): Generator<PngChunk> {
  if (!isPng(buf)) return
  let offset = 8
  while (offset + 12 <= buf.length) {
    const length = buf.readUInt32BE(offset)
    if (length > MAX_CHUNK_LENGTH) return
    const dataStart = offset + 8
    const dataEnd = dataStart + length
    // The CRC must be present too, otherwise the chunk is truncated.
    if (dataEnd + 4 > buf.length) return
    const type = buf.toString('latin1', offset + 4, offset + 8)
    yield { type, start: offset, data: buf.subarray(dataStart, dataEnd) }
    if (type === 'IEND') return
    offset = dataEnd + 4
  }
}

/** Splits `keyword\0rest`, or undefined if the keyword is missing or too long. */
function splitKeyword(data: Buffer): { keyword: string; rest: Buffer } | undefined {
  const nul = data.subarray(0, MAX_KEYWORD_BYTES + 1).indexOf(0)
  if (nul < 1) return undefined
  return { keyword: data.toString('latin1', 0, nul), rest: data.subarray(nul + 1) }
}

function decodeTEXt(data: Buffer): [string, string] | undefined {
  const kw = splitKeyword(data)
  return kw && [kw.keyword, decodeLatin1Text(kw.rest)]
}

function decodeZTXt(data: Buffer): [string, string] | undefined {
  const kw = splitKeyword(data)
  // Method 0 (deflate) is the only one defined.
  if (!kw || kw.rest.length < 1 || kw.rest[0] !== 0) return undefined
  const inflated = inflateCapped(kw.rest.subarray(1))
  return inflated && [kw.keyword, decodeLatin1Text(inflated)]
}

function decodeITXt(data: Buffer): [string, string] | undefined {
  const kw = splitKeyword(data)
  if (!kw || kw.rest.length < 2) return undefined
  const compressed = kw.rest[0] === 1
  if (compressed && kw.rest[1] !== 0) return undefined
  const afterFlags = kw.rest.subarray(2)
  const langEnd = afterFlags.indexOf(0)
  if (langEnd < 0) return undefined
  const afterLang = afterFlags.subarray(langEnd + 1)
  const translatedEnd = afterLang.indexOf(0)
  if (translatedEnd < 0) return undefined
  const body = afterLang.subarray(translatedEnd + 1)
  const text = compressed ? inflateCapped(body) : body
  return text && [kw.keyword, text.toString('utf8')]
}

export interface PngMetadata {
  /** tEXt/zTXt/iTXt entries by keyword; the first occurrence of a keyword wins. */
  text: Record<string, string>
  /** Text tags from an eXIf chunk, if present. */
  exif?: ExifText
}

/** Reads text chunks and eXIf text from a PNG. Never throws. */
export function readPngMetadata(buf: Buffer): PngMetadata {
  // A Map then fromEntries keeps a keyword like "__proto__" as plain data.
  const text = new Map<string, string>()
  let exif: ExifText | undefined
  for (const chunk of walkChunks(buf)) {
    let entry: [string, string] | undefined
    if (chunk.type === 'tEXt') entry = decodeTEXt(chunk.data)
    else if (chunk.type === 'zTXt') entry = decodeZTXt(chunk.data)
    else if (chunk.type === 'iTXt') entry = decodeITXt(chunk.data)
    else if (chunk.type === 'eXIf' && exif === undefined) exif = readExifText(chunk.data)
    if (entry && !text.has(entry[0])) text.set(entry[0], entry[1])
  }
  return exif ? { text: Object.fromEntries(text), exif } : { text: Object.fromEntries(text) }
}

/** tEXt/zTXt/iTXt entries of a PNG by keyword. Never throws. */
export function readPngTextChunks(buf: Buffer): Record<string, string> {
  return readPngMetadata(buf).text
}

export interface WritePngTextOptions {
  /** Deflate the text: zTXt when it fits Latin-1, otherwise compressed iTXt. */
  compress?: boolean
  /** Force a chunk type; tEXt/zTXt reject text that Latin-1 cannot hold. */
  chunkType?: 'tEXt' | 'zTXt' | 'iTXt'
  /**
   * Where to insert. 'before-iend' (default) is always valid; 'before-idat'
   * is where Pillow (A1111, ComfyUI) puts text, and the only place
   * header-only readers such as libvips' metadata() look.
   */
  placement?: 'before-iend' | 'before-idat'
}

function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false
  return true
}

/** Offset of the first chunk of `type`; throws if the PNG has no readable IEND. */
function findChunk(png: Buffer, type: 'IEND' | 'IDAT'): number {
  let found: number | undefined
  for (const chunk of walkChunks(png)) {
    if (chunk.type === type) found ??= chunk.start
    if (chunk.type === 'IEND') return found ?? chunk.start
  }
  throw new RangeError('not a PNG, or no IEND chunk')
}

function makeChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length)
  chunk.writeUInt32BE(data.length, 0)
  chunk.write(type, 4, 'latin1')
  data.copy(chunk, 8)
  // The CRC covers the type and the data, not the length.
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length)
  return chunk
}

function textChunk(keyword: string, text: string, opts: WritePngTextOptions): Buffer {
  if (keyword.length < 1 || keyword.length > MAX_KEYWORD_BYTES || !isLatin1(keyword) || keyword.includes('\0')) {
    throw new RangeError(`invalid PNG text keyword: ${JSON.stringify(keyword)}`)
  }
  const kw = Buffer.from(keyword, 'latin1')
  const type = opts.chunkType ?? (opts.compress && isLatin1(text) ? 'zTXt' : 'iTXt')
  if (type !== 'iTXt' && !isLatin1(text)) {
    throw new RangeError(`${type} can only hold Latin-1 text; use iTXt for ${JSON.stringify(keyword)}`)
  }
  if (type === 'tEXt') return makeChunk(type, Buffer.concat([kw, Buffer.from([0]), Buffer.from(text, 'latin1')]))
  if (type === 'zTXt') {
    return makeChunk(type, Buffer.concat([kw, Buffer.from([0, 0]), deflateSync(Buffer.from(text, 'latin1'))]))
  }
  const utf8 = Buffer.from(text, 'utf8')
  const compress = opts.compress === true
  const body = compress ? deflateSync(utf8) : utf8
  // keyword\0, compression flag, method, empty language tag\0, empty translated keyword\0
  return makeChunk(type, Buffer.concat([kw, Buffer.from([0, compress ? 1 : 0, 0, 0, 0]), body]))
}

/**
 * Returns a copy of `png` with one text chunk per entry inserted just before
 * IEND (or the first IDAT, see `placement`). Defaults to uncompressed iTXt so non-Latin text (Japanese prompts)
 * survives. Throws on a PNG without a readable IEND or an invalid keyword.
 */
export function writePngTextChunks(
  png: Buffer,
  entries: Record<string, string>,
  opts: WritePngTextOptions = {},
): Buffer {
  const at = findChunk(png, opts.placement === 'before-idat' ? 'IDAT' : 'IEND')
  const chunks = Object.entries(entries).map(([k, v]) => textChunk(k, v, opts))
  return Buffer.concat([png.subarray(0, at), ...chunks, png.subarray(at)])
}

/** Returns a copy of `png` with an eXIf chunk holding `tiff` inserted before IEND. */
export function writePngExif(png: Buffer, tiff: Buffer): Buffer {
  const iendStart = findChunk(png, 'IEND')
  // eXIf holds the bare TIFF block; the APP1 identifier is not allowed there.
  const chunk = makeChunk('eXIf', Buffer.from(stripExifHeader(tiff)))
  return Buffer.concat([png.subarray(0, iendStart), chunk, png.subarray(iendStart)])
}
