import { describe, expect, it } from 'vitest'
import { decodeUserComment, readExifText, readExifUserComment, writeExifUserComment } from './exif-user-comment'

/**
 * Hand-built TIFF with IFD0 → ExifIFD → UserComment in either byte order, so
 * the reader is tested against bytes the writer under test did not produce.
 */
function buildTiff(order: 'II' | 'MM', comment: Buffer): Buffer {
  const le = order === 'II'
  const buf = Buffer.alloc(8 + 18 + 18 + comment.length)
  const u16 = (v: number, at: number): number => (le ? buf.writeUInt16LE(v, at) : buf.writeUInt16BE(v, at))
  const u32 = (v: number, at: number): number => (le ? buf.writeUInt32LE(v, at) : buf.writeUInt32BE(v, at))
  buf.write(order, 0, 'latin1')
  u16(42, 2)
  u32(8, 4)
  // IFD0: one entry, ExifIFD pointer.
  u16(1, 8)
  u16(0x8769, 10)
  u16(4, 12)
  u32(1, 14)
  u32(26, 18)
  u32(0, 22)
  // ExifIFD at 26: one entry, UserComment.
  u16(1, 26)
  u16(0x9286, 28)
  u16(7, 30)
  u32(comment.length, 32)
  u32(44, 36)
  u32(0, 40)
  comment.copy(buf, 44)
  return buf
}

const unicode = (body: Buffer): Buffer => Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), body])
const utf16be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16()

describe('writeExifUserComment', () => {
  it('writes A1111 layout: little-endian TIFF, UNICODE prefix, UTF-16BE text', () => {
    const tiff = writeExifUserComment('Steps: 20')
    expect(tiff.toString('latin1', 0, 4)).toBe('II*\0')
    const at = tiff.indexOf(Buffer.from('UNICODE\0', 'latin1'))
    expect(at).toBeGreaterThan(8)
    expect(tiff.subarray(at + 8, at + 12)).toEqual(Buffer.from([0x00, 0x53, 0x00, 0x74]))
  })

  it('round-trips ASCII and Japanese text, with and without the Exif header', () => {
    const text = 'masterpiece, 1girl, 日本庭園\nNegative prompt: lowres\nSteps: 28, Seed: 42'
    const bare = writeExifUserComment(text)
    const prefixed = writeExifUserComment(text, { exifHeader: true })
    expect(bare.toString('latin1', 0, 2)).toBe('II')
    expect(prefixed.toString('latin1', 0, 6)).toBe('Exif\0\0')
    expect(readExifUserComment(bare)).toBe(text)
    expect(readExifUserComment(prefixed)).toBe(text)
  })

  it('writes ImageDescription alongside when asked', () => {
    const tiff = writeExifUserComment('comment', { imageDescription: 'イラスト' })
    expect(readExifText(tiff)).toEqual({ userComment: 'comment', imageDescription: 'イラスト' })
  })
})

describe('decodeUserComment charsets', () => {
  it('reads UTF-16LE written into a big-endian TIFF (zero high bytes decide)', () => {
    const le = Buffer.from('Steps: 20, Sampler: Euler a', 'utf16le')
    expect(readExifUserComment(buildTiff('MM', unicode(le)))).toBe('Steps: 20, Sampler: Euler a')
  })

  it('reads UTF-16BE in a big-endian TIFF and honours a byte-order mark', () => {
    expect(readExifUserComment(buildTiff('MM', unicode(utf16be('hello'))))).toBe('hello')
    const bomLe = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('猫', 'utf16le')])
    expect(decodeUserComment(unicode(bomLe))).toBe('猫')
    const bomBe = Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be('猫')])
    expect(decodeUserComment(unicode(bomBe))).toBe('猫')
  })

  it('picks the plausible byte order for text without any ASCII', () => {
    const text = '日本語のイラスト、桜'
    expect(decodeUserComment(unicode(Buffer.from(text, 'utf16le')))).toBe(text)
    expect(decodeUserComment(unicode(utf16be(text)))).toBe(text)
  })

  it('reads ASCII, undefined (UTF-8) and JIS-labelled UTF-8 comments', () => {
    const ascii = Buffer.concat([Buffer.from('ASCII\0\0\0', 'latin1'), Buffer.from('plain\0', 'latin1')])
    expect(readExifUserComment(buildTiff('II', ascii))).toBe('plain')
    const undef = Buffer.concat([Buffer.alloc(8), Buffer.from('ユーティーエフ8', 'utf8')])
    expect(decodeUserComment(undef)).toBe('ユーティーエフ8')
    const jis = Buffer.concat([Buffer.from('JIS\0\0\0\0\0', 'latin1'), Buffer.from('漢字', 'utf8')])
    expect(decodeUserComment(jis)).toBe('漢字')
  })

  it('treats a blank (camera-padded) comment as absent', () => {
    const blank = Buffer.concat([Buffer.from('ASCII\0\0\0', 'latin1'), Buffer.alloc(32, 0x20)])
    expect(readExifUserComment(buildTiff('II', blank))).toBeUndefined()
  })
})

describe('readExifText on corrupt data', () => {
  const good = buildTiff('II', unicode(utf16be('text')))

  it('returns undefined for garbage, short blocks and a wrong magic number', () => {
    expect(readExifText(Buffer.alloc(0))).toBeUndefined()
    expect(readExifText(Buffer.from('Exif\0\0II', 'latin1'))).toBeUndefined()
    expect(readExifText(Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff)))).toBeUndefined()
    const wrongMagic = Buffer.from(good)
    wrongMagic.writeUInt16LE(43, 2)
    expect(readExifText(wrongMagic)).toBeUndefined()
  })

  it('returns undefined when IFD0 or the ExifIFD pointer lies outside the block', () => {
    const badIfd0 = Buffer.from(good)
    badIfd0.writeUInt32LE(0xfffffff0, 4)
    expect(readExifText(badIfd0)).toBeUndefined()
    const badPointer = Buffer.from(good)
    badPointer.writeUInt32LE(good.length + 100, 18)
    expect(readExifText(badPointer)).toBeUndefined()
  })

  it('skips a UserComment whose count or offset runs past the end', () => {
    const hugeCount = Buffer.from(good)
    hugeCount.writeUInt32LE(0x7fffffff, 32)
    expect(readExifUserComment(hugeCount)).toBeUndefined()
    const badOffset = Buffer.from(good)
    badOffset.writeUInt32LE(good.length - 4, 36)
    expect(readExifUserComment(badOffset)).toBeUndefined()
  })

  it('survives every truncation of a valid block', () => {
    const block = writeExifUserComment('Steps: 20, Seed: 5', { exifHeader: true, imageDescription: 'd' })
    for (let len = 0; len < block.length; len++) expect(() => readExifText(block.subarray(0, len))).not.toThrow()
    expect(readExifUserComment(block.subarray(0, block.length - 2))).toBeUndefined()
  })
})
