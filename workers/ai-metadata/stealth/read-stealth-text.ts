import sharp from 'sharp'
import { gunzipSync } from 'node:zlib'
import { isPng } from '../png-chunks'
import { readStreamBytes, type PixelRegion, type StealthMode } from './lsb-plane'
import { HEADER_BITS, readStealthHeader, type StealthHeader } from './stealth-header'

/** Largest text a gzip'd payload may inflate to; real ones are a few KiB. */
export const MAX_STEALTH_TEXT_BYTES = 4 * 1024 * 1024

// PNG colour types (IHDR byte 9): only truecolour keeps per-pixel low bits both writers can set.
const TRUECOLOUR = 2
const TRUECOLOUR_ALPHA = 6

export type StealthText =
  | { kind: 'none' }
  | { kind: 'text'; signature: string; text: string }
  /** A signature was found but no text came out of it. */
  | { kind: 'bad'; signature: string; reason: string }

interface PngHeader {
  width: number
  height: number
  colourType: number
}

function pngHeader(buf: Buffer): PngHeader | undefined {
  if (!isPng(buf) || buf.length < 33 || buf.toString('latin1', 12, 16) !== 'IHDR') return undefined
  const width = buf.readUInt32BE(16)
  const height = buf.readUInt32BE(20)
  if (width === 0 || height === 0) return undefined
  return { width, height, colourType: buf[25]! }
}

/** The leftmost columns of the image holding the first `pixels` pixels of the column-by-column walk. */
async function decodeLeftColumns(buf: Buffer, png: PngHeader, pixels: number): Promise<PixelRegion> {
  const width = Math.min(png.width, Math.ceil(pixels / png.height))
  // A single column needs only its top rows; PNG rows decode in order, so sequential reading
  // stops libvips after them instead of inflating the whole image.
  const height = width > 1 ? png.height : Math.min(png.height, pixels)
  const { data, info } = await sharp(buf, { sequentialRead: true })
    .extract({ left: 0, top: 0, width, height })
    .raw()
    .toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height, channels: info.channels }
}

function findHeader(region: PixelRegion, png: PngHeader): StealthText | StealthHeader {
  // Alpha first (the extension's default mode, and NovelAI's); an RGBA file is read in rgb only
  // when its alpha carries no signature, an RGB file only in rgb.
  const modes: StealthMode[] = png.colourType === TRUECOLOUR_ALPHA ? ['alpha', 'rgb'] : ['rgb']
  for (const mode of modes) {
    const read = readStealthHeader(region, mode, png.width, png.height)
    if (read.kind === 'header') return read.header
    if (read.kind === 'bad') return read
  }
  return { kind: 'none' }
}

function decodePayload(header: StealthHeader, payload: Buffer): StealthText {
  let bytes: Buffer = payload
  if (header.compressed) {
    try {
      bytes = gunzipSync(payload, { maxOutputLength: MAX_STEALTH_TEXT_BYTES })
    } catch {
      return { kind: 'bad', signature: header.signature, reason: 'its payload is not valid gzip data (or inflates past the limit)' }
    }
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return { kind: 'text', signature: header.signature, text }
  } catch {
    return { kind: 'bad', signature: header.signature, reason: 'its payload is not UTF-8 text' }
  }
}

/**
 * The text hidden in a PNG's pixel low bits by A1111's stealth_pnginfo extension or NovelAI
 * (signatures stealth_pnginfo/stealth_pngcomp in alpha, stealth_rgbinfo/stealth_rgbcomp in RGB).
 * Only the first 152 pixels are decoded unless they carry a signature, and never more columns
 * than the (capped) length field asks for. Never throws.
 */
export async function readStealthText(buf: Buffer): Promise<StealthText> {
  const png = pngHeader(buf)
  if (!png || (png.colourType !== TRUECOLOUR && png.colourType !== TRUECOLOUR_ALPHA)) return { kind: 'none' }
  try {
    const head = await decodeLeftColumns(buf, png, HEADER_BITS)
    const found = findHeader(head, png)
    if (!('mode' in found)) return found
    const totalBits = HEADER_BITS + found.payloadBytes * 8
    const pixels = Math.ceil(totalBits / (found.mode === 'alpha' ? 1 : 3))
    const region = pixels <= head.width * head.height ? head : await decodeLeftColumns(buf, png, pixels)
    const payload = readStreamBytes(region, found.mode, HEADER_BITS, found.payloadBytes)
    if (!payload) return { kind: 'bad', signature: found.signature, reason: 'the image ends before its payload' }
    return decodePayload(found, payload)
  } catch {
    // A PNG libvips cannot decode (truncated, corrupt) carries no readable stealth text.
    return { kind: 'none' }
  }
}
