import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32, deflateSync } from 'node:zlib'
import sharp from 'sharp'

export type Rgb = [number, number, number]

export const COLOURS = {
  red: [230, 20, 30],
  green: [20, 200, 40],
  blue: [30, 40, 220],
  yellow: [245, 225, 30],
  white: [250, 250, 250],
  black: [10, 10, 10],
  grey: [128, 128, 128],
  teal: [20, 200, 210],
} satisfies Record<string, Rgb>

/** A solid-colour image file (PNG unless the name says otherwise). */
export async function solidImage(dir: string, name: string, colour: Rgb, width = 300, height = 200): Promise<string> {
  const path = join(dir, name)
  const [r, g, b] = colour
  await sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).toFile(path)
  return path
}

/** Left half one colour, right half another. */
export async function splitImage(dir: string, name: string, left: Rgb, right: Rgb, size = 256): Promise<string> {
  const path = join(dir, name)
  const pixels = Buffer.alloc(size * size * 3)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) pixels.set(x < size / 2 ? left : right, (y * size + x) * 3)
  }
  await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path)
  return path
}

/** Bytes that no decoder accepts, under an image name. */
export async function undecodableImage(dir: string, name = 'broken.png'): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.from('not really a PNG at all')]))
  return path
}

/**
 * A valid black PNG of `side`×`side` pixels made cheaply: 1-bit greyscale rows of zeros compress
 * to almost nothing (20000² is a 50 MB deflate stream, about 50 KB on disk).
 */
export async function hugePng(dir: string, side = 20_000, name = 'huge.png'): Promise<string> {
  const rowBytes = 1 + Math.ceil(side / 8)
  const raw = Buffer.alloc(rowBytes * side)
  const header = Buffer.alloc(13)
  header.writeUInt32BE(side, 0)
  header.writeUInt32BE(side, 4)
  header.set([1, 0, 0, 0, 0], 8) // bit depth 1, greyscale, deflate, no filter method, no interlace
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
  const path = join(dir, name)
  await writeFile(path, png)
  return path
}
