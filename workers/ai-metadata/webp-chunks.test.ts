import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { readExifUserComment, writeExifUserComment } from './exif-user-comment'
import { insertWebpExif, readWebpMetadata } from './webp-chunks'

function fourccs(webp: Buffer): string[] {
  const out: string[] = []
  for (let at = 12; at + 8 <= webp.length; ) {
    const size = webp.readUInt32LE(at + 4)
    out.push(webp.toString('latin1', at, at + 4))
    at += 8 + size + (size & 1)
  }
  return out
}

const TEXT = '1girl, 星空\nNegative prompt: blurry\nSteps: 25, Sampler: Euler a, Seed: 99'

describe('insertWebpExif', () => {
  it('converts a lossy VP8 file to VP8X with the EXIF flag and the right canvas', async () => {
    const webp = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#f00' } }).webp().toBuffer()
    expect(fourccs(webp)).toEqual(['VP8 '])
    const out = insertWebpExif(webp, writeExifUserComment(TEXT))
    expect(fourccs(out)).toEqual(['VP8X', 'VP8 ', 'EXIF'])
    expect(out.readUInt32LE(4)).toBe(out.length - 8)
    expect(out[20]! & 0x08).toBe(0x08)
    const meta = await sharp(out).metadata()
    expect([meta.width, meta.height, meta.format]).toEqual([64, 48, 'webp'])
    expect(meta.exif).toBeDefined()
    expect(readExifUserComment(readWebpMetadata(out).exif!)).toBe(TEXT)
    // Pixels still decode, not just the header.
    const { info } = await sharp(out).raw().toBuffer({ resolveWithObject: true })
    expect([info.width, info.height]).toEqual([64, 48])
  })

  it('converts a lossless VP8L file with alpha and odd dimensions', async () => {
    const webp = await sharp({ create: { width: 63, height: 47, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } })
      .webp({ lossless: true })
      .toBuffer()
    expect(fourccs(webp)).toEqual(['VP8L'])
    const out = insertWebpExif(webp, writeExifUserComment(TEXT, { exifHeader: true }))
    expect(out[20]! & 0x10).toBe(0x10)
    const meta = await sharp(out).metadata()
    expect([meta.width, meta.height, meta.hasAlpha]).toEqual([63, 47, true])
    const exif = readWebpMetadata(out).exif!
    // Written without the Exif\0\0 prefix, as WebP tools expect.
    expect(exif.toString('latin1', 0, 2)).toBe('II')
    expect(readExifUserComment(exif)).toBe(TEXT)
  })

  it('sets the flag on an existing VP8X file and replaces an earlier EXIF chunk', async () => {
    const webp = await sharp({ create: { width: 31, height: 17, channels: 4, background: { r: 9, g: 9, b: 9, alpha: 0.3 } } })
      .webp()
      .toBuffer()
    expect(fourccs(webp)[0]).toBe('VP8X')
    const once = insertWebpExif(webp, writeExifUserComment('first'))
    const twice = insertWebpExif(once, writeExifUserComment('second, odd length!'))
    expect(fourccs(twice).filter((c) => c === 'EXIF')).toHaveLength(1)
    expect(twice.readUInt32LE(4)).toBe(twice.length - 8)
    expect(readExifUserComment(readWebpMetadata(twice).exif!)).toBe('second, odd length!')
    const meta = await sharp(twice).metadata()
    expect([meta.width, meta.height]).toEqual([31, 17])
  })

  it('throws on input that is not a WebP', () => {
    expect(() => insertWebpExif(Buffer.from('RIFF\0\0\0\0WAVE'), writeExifUserComment('x'))).toThrow(RangeError)
  })
})

describe('readWebpMetadata', () => {
  it('reads an XMP chunk and an EXIF chunk that carries the Exif header', () => {
    const chunk = (fourcc: string, data: Buffer): Buffer => {
      const h = Buffer.alloc(8)
      h.write(fourcc, 0, 'latin1')
      h.writeUInt32LE(data.length, 4)
      return Buffer.concat([h, data, Buffer.alloc(data.length & 1)])
    }
    const body = Buffer.concat([
      chunk('VP8X', Buffer.alloc(10)),
      chunk('EXIF', writeExifUserComment('prefixed', { exifHeader: true })),
      chunk('XMP ', Buffer.from('<xmp>ß</xmp>', 'utf8')),
    ])
    const riff = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBP'), body])
    riff.writeUInt32LE(riff.length - 8, 4)
    const meta = readWebpMetadata(riff)
    expect(meta.xmp).toBe('<xmp>ß</xmp>')
    expect(readExifUserComment(meta.exif!)).toBe('prefixed')
  })

  it('does not throw on truncated or lying input', async () => {
    const webp = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0f0' } }).webp().toBuffer()
    const out = insertWebpExif(webp, writeExifUserComment(TEXT))
    for (let len = 0; len < out.length; len += 5) expect(() => readWebpMetadata(out.subarray(0, len))).not.toThrow()
    expect(readWebpMetadata(out.subarray(0, out.length - 4))).toEqual({})
    const lying = Buffer.from(out)
    lying.writeUInt32LE(0xffffffff, 16)
    expect(readWebpMetadata(lying)).toEqual({})
    expect(readWebpMetadata(Buffer.from('garbage garbage garbage'))).toEqual({})
  })
})
