import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeBmp, isBmp, BmpDecodeError } from './bmp-decoder'
import { probeImage } from '../workers/stages/probe.stage'

/** A minimal BMP writer for tests: 24-bit or 8-bit palette, bottom-up unless topDown. */
function encodeBmp(width: number, height: number, pixel: (x: number, y: number) => [number, number, number], options: { bpp?: 8 | 24; topDown?: boolean } = {}): Buffer {
  const bpp = options.bpp ?? 24
  const stride = Math.ceil((width * bpp) / 32) * 4
  const palette: Array<[number, number, number]> = []
  const paletteBytes = bpp === 8 ? 256 * 4 : 0
  const offset = 54 + paletteBytes
  const buffer = Buffer.alloc(offset + stride * height)
  buffer.write('BM', 0, 'latin1')
  buffer.writeUInt32LE(buffer.length, 2)
  buffer.writeUInt32LE(offset, 10)
  buffer.writeUInt32LE(40, 14)
  buffer.writeInt32LE(width, 18)
  buffer.writeInt32LE(options.topDown ? -height : height, 22)
  buffer.writeUInt16LE(1, 26)
  buffer.writeUInt16LE(bpp, 28)
  for (let y = 0; y < height; y++) {
    const row = offset + (options.topDown ? y : height - 1 - y) * stride
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y)
      if (bpp === 24) {
        buffer[row + x * 3] = b
        buffer[row + x * 3 + 1] = g
        buffer[row + x * 3 + 2] = r
      } else {
        let index = palette.findIndex((c) => c[0] === r && c[1] === g && c[2] === b)
        if (index < 0) index = palette.push([r, g, b]) - 1
        buffer[row + x] = index
      }
    }
  }
  palette.forEach(([r, g, b], i) => buffer.set([b, g, r, 0], 54 + i * 4))
  return buffer
}

const quadrants = (x: number, y: number): [number, number, number] => (x < 4 ? (y < 3 ? [255, 0, 0] : [0, 255, 0]) : y < 3 ? [0, 0, 255] : [255, 255, 255])

describe('decodeBmp', () => {
  it.each([
    ['24-bit bottom-up', { bpp: 24 as const }],
    ['24-bit top-down', { bpp: 24 as const, topDown: true }],
    ['8-bit palette', { bpp: 8 as const }],
  ])('decodes %s with rows in the right order', (_name, options) => {
    const bmp = decodeBmp(encodeBmp(8, 6, quadrants, options))
    expect([bmp.width, bmp.height]).toEqual([8, 6])
    const at = (x: number, y: number) => [...bmp.pixels.subarray((y * 8 + x) * 4, (y * 8 + x) * 4 + 4)]
    expect(at(0, 0)).toEqual([255, 0, 0, 255])
    expect(at(0, 5)).toEqual([0, 255, 0, 255])
    expect(at(7, 0)).toEqual([0, 0, 255, 255])
    expect(at(7, 5)).toEqual([255, 255, 255, 255])
  })

  it('is probed and thumbnailed through sharp like any other format', async () => {
    const file = encodeBmp(40, 20, quadrants)
    expect(isBmp(file)).toBe(true)
    expect(await probeImage(file)).toEqual({ width: 40, height: 20, format: 'bmp', animated: false, frames: 1 })
    const bmp = decodeBmp(file)
    const meta = await sharp(bmp.pixels, { raw: { width: 40, height: 20, channels: 4 } }).png().toBuffer().then((b) => sharp(b).metadata())
    expect([meta.width, meta.height]).toEqual([40, 20])
  })

  it('rejects truncated, compressed and absurd files with a reason', () => {
    const file = encodeBmp(8, 6, quadrants)
    expect(() => decodeBmp(file.subarray(0, 80))).toThrow(/truncated/)
    const rle = Buffer.from(file)
    rle.writeUInt32LE(1, 30)
    expect(() => decodeBmp(rle)).toThrow(/RLE/)
    const huge = Buffer.from(file)
    huge.writeInt32LE(100_000, 18)
    huge.writeInt32LE(100_000, 22)
    expect(() => decodeBmp(huge, { headerOnly: true })).toThrow(BmpDecodeError)
    expect(() => decodeBmp(Buffer.from('BM'))).toThrow(/too short/)
  })
})
