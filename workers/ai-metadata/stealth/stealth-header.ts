import { readStreamBytes, streamCapacity, type PixelRegion, type StealthMode } from './lsb-plane'

// The stream starts with a 15-byte signature naming the mode and whether the payload is gzip'd,
// then the payload's length in bits (32-bit big-endian), then the payload
// (sd_webui_stealth_pnginfo, prepare_data / read_info_from_image_stealth).

const SIGNATURES = new Map<string, { mode: StealthMode; compressed: boolean }>([
  ['stealth_pnginfo', { mode: 'alpha', compressed: false }],
  ['stealth_pngcomp', { mode: 'alpha', compressed: true }],
  ['stealth_rgbinfo', { mode: 'rgb', compressed: false }],
  ['stealth_rgbcomp', { mode: 'rgb', compressed: true }],
])

const SIGNATURE_BYTES = 15
/** Bits before the payload: the signature and the length field. */
export const HEADER_BITS = (SIGNATURE_BYTES + 4) * 8

/**
 * Largest payload read. Real ones are a few KiB (A1111 settings text, NovelAI's request JSON,
 * gzip'd); the length field of an alpha channel that only looks signed can say anything.
 */
export const MAX_STEALTH_PAYLOAD_BYTES = 256 * 1024

export interface StealthHeader {
  signature: string
  mode: StealthMode
  compressed: boolean
  payloadBytes: number
}

export type HeaderRead =
  | { kind: 'none' }
  | { kind: 'header'; header: StealthHeader }
  /** A signature whose length field cannot be right. */
  | { kind: 'bad'; signature: string; reason: string }

/**
 * The header of the stream in `mode`, read from a region holding at least the first
 * HEADER_BITS bits; `imageWidth` x `imageHeight` bound what the length field may claim.
 */
export function readStealthHeader(region: PixelRegion, mode: StealthMode, imageWidth: number, imageHeight: number): HeaderRead {
  const head = readStreamBytes(region, mode, 0, SIGNATURE_BYTES + 4)
  if (!head) return { kind: 'none' }
  const signature = head.toString('latin1', 0, SIGNATURE_BYTES)
  const known = SIGNATURES.get(signature)
  if (!known || known.mode !== mode) return { kind: 'none' }
  const bits = head.readUInt32BE(SIGNATURE_BYTES)
  const capacity = streamCapacity(mode, imageWidth, imageHeight) - HEADER_BITS
  if (bits === 0) return { kind: 'bad', signature, reason: 'its length field is 0' }
  if (bits % 8 !== 0) return { kind: 'bad', signature, reason: `its length field (${bits} bits) is not a whole number of bytes` }
  if (bits > capacity) {
    return { kind: 'bad', signature, reason: `its length field (${bits} bits) is more than the image can hold (${capacity} bits)` }
  }
  if (bits / 8 > MAX_STEALTH_PAYLOAD_BYTES) {
    return { kind: 'bad', signature, reason: `its length field (${bits / 8} bytes) is over the ${MAX_STEALTH_PAYLOAD_BYTES}-byte limit` }
  }
  return { kind: 'header', header: { signature, ...known, payloadBytes: bits / 8 } }
}
