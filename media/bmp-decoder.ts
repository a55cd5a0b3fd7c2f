/** A BMP this decoder cannot read; the stage that asked turns it into its error record. */
export class BmpDecodeError extends Error {
  override name = 'BmpDecodeError'
}

/** sharp's bundled libvips has no BMP loader, so Sagasu reads the common BMP variants itself. */
export interface DecodedBmp {
  width: number
  height: number
  /** RGBA, top row first; empty when only the header was read. */
  pixels: Buffer
}

const MAX_PIXELS = 268_402_689 // sharp's own default limit, so every format has the same ceiling

export function isBmp(buffer: Buffer): boolean {
  return buffer.length >= 2 && buffer[0] === 0x42 && buffer[1] === 0x4d
}

/**
 * Decodes uncompressed 1/4/8-bit (palette), 16, 24 and 32-bit BMPs, and BI_BITFIELDS masks.
 * RLE-compressed files are rare and rejected with a clear reason.
 */
export function decodeBmp(buffer: Buffer, options: { headerOnly?: boolean } = {}): DecodedBmp {
  const fail = (reason: string): never => {
    throw new BmpDecodeError(`not a readable BMP: ${reason}`)
  }
  if (buffer.length < 26) fail('file too short')
  const dataOffset = buffer.readUInt32LE(10)
  const headerSize = buffer.readUInt32LE(14)
  if (headerSize < 12 || 14 + headerSize > buffer.length) fail('bad header size')
  const core = headerSize === 12
  const width = core ? buffer.readUInt16LE(18) : buffer.readInt32LE(18)
  const rawHeight = core ? buffer.readInt16LE(20) : buffer.readInt32LE(22)
  const bpp = buffer.readUInt16LE(core ? 24 : 28)
  const compression = core ? 0 : buffer.readUInt32LE(30)
  const height = Math.abs(rawHeight)
  if (width <= 0 || height <= 0) fail(`bad size ${width}×${height}`)
  if (width * height > MAX_PIXELS) fail(`${width}×${height} is larger than ${MAX_PIXELS} pixels`)
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) fail(`unsupported bit depth ${bpp}`)
  if (compression !== 0 && compression !== 3) fail(`unsupported compression ${compression} (RLE)`)
  if (options.headerOnly) return { width, height, pixels: Buffer.alloc(0) }

  const stride = Math.ceil((width * bpp) / 32) * 4
  if (dataOffset + stride * height > buffer.length) fail('pixel data is truncated')
  const palette = bpp <= 8 ? readPalette(buffer, 14 + headerSize, core ? 3 : 4, 1 << bpp) : []
  const masks = compression === 3 ? readMasks(buffer, headerSize) : defaultMasks(bpp)
  const pixels = Buffer.alloc(width * height * 4)
  const bottomUp = rawHeight > 0
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (bottomUp ? height - 1 - y : y) * stride
    for (let x = 0; x < width; x++) {
      const out = (y * width + x) * 4
      if (bpp <= 8) {
        const bitOffset = x * bpp
        const byte = buffer[row + (bitOffset >> 3)]!
        const index = (byte >> (8 - bpp - (bitOffset & 7))) & ((1 << bpp) - 1)
        const colour = palette[index] ?? [0, 0, 0]
        pixels[out] = colour[0]!
        pixels[out + 1] = colour[1]!
        pixels[out + 2] = colour[2]!
        pixels[out + 3] = 255
      } else {
        const value = bpp === 16 ? buffer.readUInt16LE(row + x * 2) : bpp === 24 ? buffer.readUIntLE(row + x * 3, 3) : buffer.readUInt32LE(row + x * 4)
        pixels[out] = channel(value, masks[0]!)
        pixels[out + 1] = channel(value, masks[1]!)
        pixels[out + 2] = channel(value, masks[2]!)
        pixels[out + 3] = masks[3] ? channel(value, masks[3]) : 255
      }
    }
  }
  return { width, height, pixels }
}

function readPalette(buffer: Buffer, start: number, entrySize: number, count: number): number[][] {
  const palette: number[][] = []
  for (let i = 0; i < count && start + i * entrySize + 2 < buffer.length; i++) {
    const at = start + i * entrySize
    palette.push([buffer[at + 2]!, buffer[at + 1]!, buffer[at]!])
  }
  return palette
}

function readMasks(buffer: Buffer, headerSize: number): number[] {
  // The masks start at byte 54 either way: right after a BITMAPINFOHEADER, or inside a V4/V5 header
  // (which also holds an alpha mask).
  const at = 54
  const alpha = headerSize >= 56 && buffer.length >= 70 ? buffer.readUInt32LE(66) : 0
  return [buffer.readUInt32LE(at), buffer.readUInt32LE(at + 4), buffer.readUInt32LE(at + 8), alpha]
}

function defaultMasks(bpp: number): number[] {
  return bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0xff0000, 0x00ff00, 0x0000ff, 0]
}

/** Scales the bits under a mask to 0–255. */
function channel(value: number, mask: number): number {
  if (!mask) return 0
  let shift = 0
  while (((mask >>> shift) & 1) === 0) shift++
  const max = mask >>> shift
  return Math.round((((value & mask) >>> shift) / max) * 255)
}
