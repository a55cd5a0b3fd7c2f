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
