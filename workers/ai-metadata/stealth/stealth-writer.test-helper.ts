import sharp from 'sharp'
import { deflateSync, gzipSync } from 'node:zlib'
import { rawPngChunk } from '../raw-png-chunk.test-helper'
import { seededRandom } from '../../../shared/seeded-random'

// A port of the writer of ashen-sensored/sd_webui_stealth_pnginfo (scripts/stealth_pnginfo.py,
// commit b58ed5f28be72196b8dd47601ec11c9fa6d8664a: prepare_data and add_data), written apart from
// the reader under test so the tests check the reader against the extension's layout.

export type StealthSignature = 'stealth_pnginfo' | 'stealth_pngcomp' | 'stealth_rgbinfo' | 'stealth_rgbcomp'

export interface StealthImage {
  width: number
  height: number
  /** 4: RGBA, 3: RGB. */
  channels: 3 | 4
  /** Interleaved 8-bit samples; random colours with opaque alpha unless given. */
  pixels?: Buffer
}

/** Random colours, alpha opaque (4 channels) or absent, from a fixed seed. */
export function noisePixels(width: number, height: number, channels: 3 | 4, seed: number, noisyAlpha = false): Buffer {
  const random = seededRandom(seed)
  const out = Buffer.alloc(width * height * channels)
  for (let i = 0; i < out.length; i++) {
    const isAlpha = channels === 4 && i % 4 === 3
    out[i] = isAlpha && !noisyAlpha ? 255 : Math.floor(random() * 256)
  }
  return out
}

/** The bits prepare_data lays down: signature, payload length in bits (32, big-endian), payload. */
export function stealthBits(signature: StealthSignature, payload: Buffer, lengthBits = payload.length * 8): number[] {
  const header = Buffer.alloc(19)
  header.write(signature, 0, 'latin1')
  header.writeUInt32BE(lengthBits >>> 0, 15)
  const bits: number[] = []
  for (const byte of Buffer.concat([header, payload])) for (let k = 7; k >= 0; k--) bits.push((byte >> k) & 1)
  return bits
}

/** The payload add_data writes for `text`: UTF-8, gzip'd for the *comp signatures. */
export function stealthPayload(signature: StealthSignature, text: string): Buffer {
  const utf8 = Buffer.from(text, 'utf8')
  return signature.endsWith('comp') ? gzipSync(utf8) : utf8
}

/** add_data: bits into the alpha (or R, G, B) low bits, x outer, y inner. */
export function embedBits(image: StealthImage, bits: number[], mode: 'alpha' | 'rgb'): Buffer {
  const { width, height, channels } = image
  const pixels = Buffer.from(image.pixels ?? noisePixels(width, height, channels, 1))
  let index = 0
  for (let x = 0; x < width && index < bits.length; x++) {
    for (let y = 0; y < height && index < bits.length; y++) {
      const at = (y * width + x) * channels
      if (mode === 'alpha') pixels[at + 3] = (pixels[at + 3]! & ~1) | bits[index++]!
      else for (let c = 0; c < 3 && index < bits.length; c++) pixels[at + c] = (pixels[at + c]! & ~1) | bits[index++]!
    }
  }
  return pixels
}

/** A PNG of raw samples, no text chunks. */
export function encodePng(image: StealthImage, pixels: Buffer): Promise<Buffer> {
  return sharp(pixels, { raw: { width: image.width, height: image.height, channels: image.channels } }).png().toBuffer()
}

/** A PNG carrying `text` in its pixels as the extension writes it. */
export async function stealthPng(image: StealthImage, signature: StealthSignature, text: string): Promise<Buffer> {
  const mode = signature.startsWith('stealth_png') ? 'alpha' : 'rgb'
  return encodePng(image, embedBits(image, stealthBits(signature, stealthPayload(signature, text)), mode))
}

/**
 * A 16-bit PNG of 8-bit samples: each in the high byte, the low byte's low bit the opposite of the
 * high byte's, so a reader looking at the wrong byte reads a different stream.
 */
export function encodePng16(image: StealthImage, pixels: Buffer): Buffer {
  const { width, height, channels } = image
  const rowBytes = width * channels * 2
  const raw = Buffer.alloc(height * (rowBytes + 1))
  for (let y = 0; y < height; y++) {
    // Filter type 0 (None) at the start of each row.
    for (let i = 0; i < width * channels; i++) {
      const v = pixels[y * width * channels + i]!
      raw[y * (rowBytes + 1) + 1 + i * 2] = v
      raw[y * (rowBytes + 1) + 2 + i * 2] = 0x40 | (~v & 1)
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 16
  ihdr[9] = channels === 4 ? 6 : 2
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    rawPngChunk('IHDR', ihdr),
    rawPngChunk('IDAT', deflateSync(raw)),
    rawPngChunk('IEND', Buffer.alloc(0)),
  ])
}
