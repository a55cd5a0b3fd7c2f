import { deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { crc32, tableCrc32 } from './crc32'
import { writeExifUserComment } from './exif-user-comment'
import { inflateCapped } from './inflate-capped'
import { readPngMetadata, readPngTextChunks, writePngExif, writePngTextChunks } from './png-chunks'
import { rawPngChunk } from './raw-png-chunk.test-helper'

async function makePng(): Promise<Buffer> {
  return sharp({ create: { width: 16, height: 12, channels: 3, background: '#0af' } }).png().toBuffer()
}

function insertBeforeIend(png: Buffer, ...chunks: Buffer[]): Buffer {
  const iend = png.length - 12
  expect(png.toString('latin1', iend + 4, iend + 8)).toBe('IEND')
  return Buffer.concat([png.subarray(0, iend), ...chunks, png.subarray(iend)])
}

/** Chunk types in file order, walked independently of the code under test. */
function chunkTypes(png: Buffer): string[] {
  const types: string[] = []
  for (let at = 8; at + 8 <= png.length; ) {
    const len = png.readUInt32BE(at)
    types.push(png.toString('latin1', at + 4, at + 8))
    at += 12 + len
  }
  return types
}

describe('crc32', () => {
  it('matches the known CRC of the IEND chunk type, natively and by table', () => {
    const iend = Buffer.from('IEND', 'latin1')
    expect(crc32(iend)).toBe(0xae426082)
    expect(tableCrc32(iend)).toBe(0xae426082)
    const data = Buffer.from('parameters\0日本語', 'utf8')
    expect(tableCrc32(data)).toBe(crc32(data))
  })
})

describe('inflateCapped', () => {
  it('inflates within the cap and refuses beyond it', () => {
    const deflated = deflateSync(Buffer.alloc(1000, 7))
    expect(inflateCapped(deflated, 1000)?.length).toBe(1000)
    expect(inflateCapped(deflated, 999)).toBeUndefined()
    expect(inflateCapped(Buffer.from('not zlib at all'))).toBeUndefined()
  })
})

describe('writePngTextChunks / readPngTextChunks', () => {
  it('round-trips UTF-8 text through iTXt and keeps the PNG decodable', async () => {
    const png = await makePng()
    const entries = {
      parameters: '1girl, 桜の木の下で, smile\nNegative prompt: lowres\nSteps: 20, Seed: 1',
      Software: 'test',
    }
    const out = writePngTextChunks(png, entries)
    expect(chunkTypes(out).filter((t) => t === 'iTXt')).toHaveLength(2)
    expect(chunkTypes(out).at(-1)).toBe('IEND')
    expect(readPngTextChunks(out)).toEqual(entries)
    const meta = await sharp(out).metadata()
    expect([meta.width, meta.height]).toEqual([16, 12])
  })

  it('writes valid CRCs (libvips reads the text back when placed before IDAT)', async () => {
    const out = writePngTextChunks(await makePng(), { Comment: 'hello' }, { chunkType: 'tEXt', placement: 'before-idat' })
    expect(chunkTypes(out).indexOf('tEXt')).toBeLessThan(chunkTypes(out).indexOf('IDAT'))
    for (let at = 8; at + 12 <= out.length; ) {
      const len = out.readUInt32BE(at)
      expect(out.readUInt32BE(at + 8 + len)).toBe(tableCrc32(out.subarray(at + 4, at + 8 + len)))
      at += 12 + len
    }
    const meta = await sharp(out).metadata()
    expect(meta.comments).toContainEqual({ keyword: 'Comment', text: 'hello' })
  })

  it('uses zTXt for compressible Latin-1 text and compressed iTXt otherwise', async () => {
    const png = await makePng()
    const latin = 'masterpiece, café, '.repeat(200)
    const zOut = writePngTextChunks(png, { parameters: latin }, { compress: true })
    expect(chunkTypes(zOut)).toContain('zTXt')
    expect(zOut.length).toBeLessThan(png.length + latin.length / 4)
    expect(readPngTextChunks(zOut)).toEqual({ parameters: latin })

    const japanese = '猫耳、青い目、'.repeat(100)
    const iOut = writePngTextChunks(png, { parameters: japanese }, { compress: true })
    expect(chunkTypes(iOut)).toContain('iTXt')
    expect(chunkTypes(iOut)).not.toContain('zTXt')
    expect(readPngTextChunks(iOut)).toEqual({ parameters: japanese })
  })

  it('rejects text a Latin-1 chunk cannot hold, bad keywords and non-PNG input', async () => {
    const png = await makePng()
    expect(() => writePngTextChunks(png, { parameters: '日本' }, { chunkType: 'tEXt' })).toThrow(RangeError)
    expect(() => writePngTextChunks(png, { '': 'x' })).toThrow(RangeError)
    expect(() => writePngTextChunks(png, { ['k'.repeat(80)]: 'x' })).toThrow(RangeError)
    expect(() => writePngTextChunks(Buffer.from('GIF89a'), { a: 'b' })).toThrow(RangeError)
  })

  it('keeps the first of duplicate keywords and treats __proto__ as data', async () => {
    const png = await makePng()
    const out = insertBeforeIend(
      png,
      rawPngChunk('tEXt', Buffer.from('parameters\0first', 'latin1')),
      rawPngChunk('tEXt', Buffer.from('parameters\0second', 'latin1')),
      rawPngChunk('tEXt', Buffer.from('__proto__\0polluted', 'latin1')),
    )
    const text = readPngTextChunks(out)
    expect(text.parameters).toBe('first')
    expect(Object.getOwnPropertyDescriptor(text, '__proto__')?.value).toBe('polluted')
    expect(Object.getPrototypeOf(text)).toBe(Object.prototype)
  })

  it('reads an eXIf chunk through the EXIF reader', async () => {
    const out = writePngExif(await makePng(), writeExifUserComment('from exif', { exifHeader: true }))
    expect(readPngMetadata(out).exif?.userComment).toBe('from exif')
    const meta = await sharp(out).metadata()
    expect(meta.width).toBe(16)
  })
})

describe('readPngTextChunks on damaged input', () => {
  it('returns what was read before a truncation, and never throws', async () => {
    const out = writePngTextChunks(await makePng(), { a: 'first entry', b: 'second entry' })
    const secondAt = out.indexOf(Buffer.from('iTXtb\0', 'latin1')) - 4
    expect(secondAt).toBeGreaterThan(8)
    // Cut in the middle of the second chunk: the first survives.
    expect(readPngTextChunks(out.subarray(0, secondAt + 10))).toEqual({ a: 'first entry' })
    // Every prefix length is handled without an exception.
    for (let len = 0; len <= out.length; len += 7) expect(() => readPngTextChunks(out.subarray(0, len))).not.toThrow()
    expect(readPngTextChunks(out.subarray(0, 20))).toEqual({})
  })

  it('stops at a chunk length pointing past the end', async () => {
    const out = writePngTextChunks(await makePng(), { a: 'kept' })
    const bad = insertBeforeIend(out, rawPngChunk('tEXt', Buffer.from('b\0lost', 'latin1')))
    const lengthAt = bad.indexOf(Buffer.from('tEXtb\0', 'latin1')) - 4
    bad.writeUInt32BE(0x7ffffff0, lengthAt)
    expect(readPngTextChunks(bad)).toEqual({ a: 'kept' })
    bad.writeUInt32BE(0xfffffff0, lengthAt)
    expect(readPngTextChunks(bad)).toEqual({ a: 'kept' })
  })

  it('skips a zTXt chunk with invalid zlib data but keeps the others', async () => {
    const garbage = Buffer.concat([Buffer.from('parameters\0\0', 'latin1'), Buffer.from([0x78, 0x9c, 1, 2, 3, 4, 5])])
    const out = insertBeforeIend(
      await makePng(),
      rawPngChunk('zTXt', garbage),
      rawPngChunk('tEXt', Buffer.from('Software\0ok', 'latin1')),
    )
    expect(readPngTextChunks(out)).toEqual({ Software: 'ok' })
  })

  it('does not inflate a zip bomb past the 16 MiB cap', async () => {
    const bomb = deflateSync(Buffer.alloc(100 * 1024 * 1024), { level: 1 })
    const zTXt = rawPngChunk('zTXt', Buffer.concat([Buffer.from('parameters\0\0', 'latin1'), bomb]))
    const out = insertBeforeIend(await makePng(), zTXt, rawPngChunk('tEXt', Buffer.from('after\0bomb', 'latin1')))
    const before = process.memoryUsage().arrayBuffers
    const started = performance.now()
    const text = readPngTextChunks(out)
    expect(text).toEqual({ after: 'bomb' })
    expect(performance.now() - started).toBeLessThan(1000)
    // Inflating fully would have allocated ~100 MB of buffers.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50 * 1024 * 1024)
  })

  it('returns {} for garbage, an empty buffer and a bare signature', () => {
    const garbage = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + 17) & 0xff))
    expect(readPngTextChunks(garbage)).toEqual({})
    expect(readPngTextChunks(Buffer.alloc(0))).toEqual({})
    expect(readPngTextChunks(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toEqual({})
  })

  it('ignores text chunks without a keyword terminator or with a bad iTXt layout', async () => {
    const out = insertBeforeIend(
      await makePng(),
      rawPngChunk('tEXt', Buffer.from('k'.repeat(100), 'latin1')),
      rawPngChunk('iTXt', Buffer.from('key\0\0\0no-terminators', 'latin1')),
      rawPngChunk('iTXt', Buffer.from('key2\0\0\0\0\0text', 'latin1')),
    )
    expect(readPngTextChunks(out)).toEqual({ key2: 'text' })
  })
})
