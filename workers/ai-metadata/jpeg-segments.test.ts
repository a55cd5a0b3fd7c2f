import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { readExifUserComment, writeExifUserComment } from './exif-user-comment'
import { insertJpegExif, readJpegMetadata } from './jpeg-segments'

async function makeJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 30, channels: 3, background: '#f80' } }).jpeg().toBuffer()
}

function segment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0])
  header.writeUInt16BE(payload.length + 2, 2)
  return Buffer.concat([header, payload])
}

/** Inserts raw segments right after SOI. */
function afterSoi(jpeg: Buffer, ...segments: Buffer[]): Buffer {
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)])
}

const JFIF = segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'))

describe('insertJpegExif / readJpegMetadata', () => {
  it('round-trips an A1111 UserComment and keeps the JPEG decodable', async () => {
    const text = '1girl, 夕焼け\nNegative prompt: bad hands\nSteps: 30, Sampler: DPM++ 2M, Seed: 7'
    const out = insertJpegExif(await makeJpeg(), writeExifUserComment(text, { exifHeader: true }))
    expect(out.subarray(0, 4)).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xe1]))
    const meta = readJpegMetadata(out)
    expect(meta.exif).toHaveLength(1)
    expect(meta.exif[0]!.toString('latin1', 0, 2)).toBe('II')
    expect(readExifUserComment(meta.exif[0]!)).toBe(text)
    const decoded = await sharp(out).metadata()
    expect([decoded.width, decoded.height]).toEqual([40, 30])
    expect(decoded.exif?.subarray(0, 6).toString('latin1')).toBe('Exif\0\0')
  })

  it('accepts a block without the Exif header and inserts after APP0/JFIF', async () => {
    const withJfif = afterSoi(await makeJpeg(), JFIF)
    const out = insertJpegExif(withJfif, writeExifUserComment('after jfif'))
    expect(out.subarray(2, 4)).toEqual(Buffer.from([0xff, 0xe0]))
    expect(out.subarray(2 + JFIF.length, 4 + JFIF.length)).toEqual(Buffer.from([0xff, 0xe1]))
    expect(readExifUserComment(readJpegMetadata(out).exif[0]!)).toBe('after jfif')
    expect((await sharp(out).metadata()).width).toBe(40)
  })

  it('reads COM segments (UTF-8, Latin-1 fallback) and XMP', async () => {
    const xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/">猫</x:xmpmeta>'
    const jpeg = afterSoi(
      await makeJpeg(),
      segment(0xfe, Buffer.from('Steps: 20, Seed: 1, 日本', 'utf8')),
      segment(0xfe, Buffer.from([0x63, 0x61, 0x66, 0xe9])),
      segment(0xe1, Buffer.from(`http://ns.adobe.com/xap/1.0/\0${xmp}`, 'utf8')),
    )
    const meta = readJpegMetadata(jpeg)
    expect(meta.comments).toEqual(['Steps: 20, Seed: 1, 日本', 'café'])
    expect(meta.xmp).toBe(xmp)
    expect(meta.exif).toEqual([])
  })

  it('refuses non-JPEG input and blocks larger than one segment', async () => {
    expect(() => insertJpegExif(Buffer.from('not a jpeg'), writeExifUserComment('x'))).toThrow(RangeError)
    const jpeg = await makeJpeg()
    expect(() => insertJpegExif(jpeg, writeExifUserComment('x'.repeat(40000)))).toThrow(RangeError)
  })
})

describe('readJpegMetadata on damaged input', () => {
  it('ignores an APP1 whose length runs past the end of the file', async () => {
    const good = insertJpegExif(await makeJpeg(), writeExifUserComment('text'))
    const bad = Buffer.from(good)
    bad.writeUInt16BE(0xfff0, 4)
    expect(readJpegMetadata(bad)).toEqual({ exif: [], comments: [] })
    // Truncated inside the APP1 segment.
    expect(readJpegMetadata(good.subarray(0, 30))).toEqual({ exif: [], comments: [] })
  })

  it('stops without throwing when an APP1 length is too short to reach the next marker', async () => {
    const comment = segment(0xfe, Buffer.from('after', 'latin1'))
    const good = insertJpegExif(afterSoi(await makeJpeg(), comment), writeExifUserComment('short'))
    const bad = Buffer.from(good)
    bad.writeUInt16BE(20, 4)
    const meta = readJpegMetadata(bad)
    // The shortened block is unreadable, and the walk cannot resync to the COM after it.
    expect(meta.exif.map((b) => readExifUserComment(b))).toEqual([undefined])
    expect(meta.comments).toEqual([])
    bad.writeUInt16BE(1, 4)
    expect(readJpegMetadata(bad)).toEqual({ exif: [], comments: [] })
  })

  it('returns empty results for garbage and for every truncation', async () => {
    expect(readJpegMetadata(Buffer.from([1, 2, 3, 4, 5]))).toEqual({ exif: [], comments: [] })
    const good = insertJpegExif(await makeJpeg(), writeExifUserComment('text'))
    for (let len = 0; len < 200; len++) expect(() => readJpegMetadata(good.subarray(0, len))).not.toThrow()
  })
})
