import { readFileSync, readdirSync } from 'node:fs'
import { extname, join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { queryImageProblem, sniffImageFormat } from './image-format'

const base = () => sharp({ create: { width: 8, height: 8, channels: 3, background: '#3366cc' } })

function bmp(): Buffer {
  const file = Buffer.alloc(54 + 4)
  file.write('BM', 0, 'latin1')
  file.writeUInt32LE(file.length, 2)
  file.writeUInt32LE(54, 10)
  file.writeUInt32LE(40, 14)
  file.writeInt32LE(1, 18)
  file.writeInt32LE(1, 22)
  file.writeUInt16LE(1, 26)
  file.writeUInt16LE(24, 28)
  return file
}

describe('sniffImageFormat', () => {
  it('knows the raster formats by their magic bytes, whatever an encoder wrote after them', async () => {
    const encoded: Record<string, Buffer> = {
      png: await base().png().toBuffer(),
      jpeg: await base().jpeg().toBuffer(),
      gif: await base().gif().toBuffer(),
      webp: await base().webp().toBuffer(),
      avif: await base().avif().toBuffer(),
      bmp: bmp(),
    }
    for (const [format, bytes] of Object.entries(encoded)) expect(sniffImageFormat(bytes), format).toMatchObject({ raster: true, format })
  })

  it('names what other bytes are, and never calls them raster', async () => {
    const cases: Array<[string | Buffer, string]> = [
      ['<svg xmlns="http://www.w3.org/2000/svg"/>', 'an SVG document'],
      [`\uFEFF<?xml version="1.0"?>\n<!-- ${'c'.repeat(200)} -->\n<svg width="1" height="1"/>`, 'an SVG document'],
      [Buffer.from('\uFEFF<svg xmlns="http://www.w3.org/2000/svg"/>', 'utf16le'), 'an SVG document'],
      ['<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg/>', 'an SVG document'],
      // An 8-bit encoding other than UTF-8 (resvg's tests/structure/svg/not-UTF-8-encoding.svg).
      [Buffer.concat([Buffer.from('<?xml version="1.0" encoding="Windows-1251"?>\n<svg><text>'), Buffer.from([0xcf, 0xf0, 0xe8]), Buffer.from('</text></svg>')]), 'an SVG document'],
      // JPEG-LS: a JPEG's start, then SOF55, which no JPEG decoder reads (file-type's fixture-hp1.jls), also after an APP segment.
      [Buffer.from([0xff, 0xd8, 0xff, 0xf7, 0x00, 0x0b, 0x08, 0x00, 0x10]), 'a JPEG-LS image'],
      [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46, 0xff, 0xf7, 0x00, 0x0b]), 'a JPEG-LS image'],
      ['<?xml version="1.0"?><xi:include href="/etc/passwd"/>', 'an XML document'],
      ['<!doctype html><html></html>', 'an HTML document'],
      ['%PDF-1.7\n%âãÏÓ\n', 'a PDF document'],
      ['%!PS-Adobe-3.0', 'a PostScript document'],
      [await base().tiff().toBuffer(), 'a TIFF image'],
      [Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]), 'gzip-compressed data (an SVGZ or another compressed file)'],
      ['just some words', 'text'],
      ['', 'empty'],
      [Buffer.from([0x00, 0x01, 0x02, 0xfe, 0x80, 0x81]), 'data of an unknown format'],
      ['BM', 'a truncated BMP header'],
    ]
    for (const [bytes, description] of cases) {
      const input = typeof bytes === 'string' ? Buffer.from(bytes) : bytes
      expect(sniffImageFormat(input), description).toEqual({ raster: false, description })
    }
  })

  it('words the query-image 400 with what the bytes are and what to send', () => {
    expect(queryImageProblem(Buffer.from('<svg/>'))).toBe('image: an SVG document; send a PNG, JPEG, GIF, WebP, AVIF or BMP file')
    expect(queryImageProblem(bmp())).toBeUndefined()
  })
})

/**
 * Real files nobody here wrote (../shared/realworld: generator outputs whose container expected.json
 * names, manga and scene images): every one must pass the gate as its own format.
 */
describe('sniffImageFormat on ../shared/realworld', () => {
  const realworld = join(import.meta.dirname, '../../shared/realworld')

  it('accepts every real generator output as the container expected.json names', () => {
    const expected = JSON.parse(readFileSync(join(realworld, 'aimeta/expected.json'), 'utf8')) as { files: Record<string, { container: string }> }
    const formats: Record<string, string> = { PNG: 'png', JPEG: 'jpeg', WebP: 'webp' }
    const names = Object.keys(expected.files)
    expect(names.length).toBeGreaterThanOrEqual(60)
    for (const name of names) {
      const sniffed = sniffImageFormat(readFileSync(join(realworld, 'aimeta/files', name)))
      expect(sniffed, name).toMatchObject({ raster: true, format: formats[expected.files[name]!.container] })
    }
  })

  it('accepts every real OCR test image as the format its extension names', () => {
    const files = readdirSync(join(realworld, 'ocr/images'), { recursive: true, encoding: 'utf8' }).filter((path) => /\.(png|jpe?g)$/i.test(path))
    expect(files.length).toBeGreaterThanOrEqual(40)
    for (const file of files) {
      const format = extname(file).toLowerCase() === '.png' ? 'png' : 'jpeg'
      expect(sniffImageFormat(readFileSync(join(realworld, 'ocr/images', file))), file).toMatchObject({ raster: true, format })
    }
  })
})
