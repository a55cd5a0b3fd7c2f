/**
 * Untrusted bytes never reach a loader that follows references: the loaders are blocked process-wide
 * once this module is loaded, and every decode path checks the magic first. The referenced file is
 * a FIFO, so a decoder that opens it is caught (test/helpers/fifo.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeFifo, neverOpens, svgNaming } from '../test/helpers/fifo'
import { loadModelImage } from '../models/model-image'
import { decodeForOcr } from '../models/ocr/decode-pixels'
import { DEFAULT_PREPROCESS_LIMITS } from '../models/ocr/preprocess'
import { openImage, UnsupportedImageFormatError, withTrustedSvg } from './image-decoder'
import { probeImage } from '../workers/stages/probe.stage'
import { makeThumbnail } from '../workers/stages/thumbnail.stage'

let dir: string
let fifo: string
let svgFile: string
let svg: Buffer

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sagasu-decoder-'))
  fifo = makeFifo(join(dir, 'secret'))
  svg = svgNaming(fifo)
  // Named like an image, beside the file it names: librsvg resolves references against the file's folder.
  svgFile = join(dir, 'x.png')
  await writeFile(svgFile, svg)
})

afterAll(() => rm(dir, { recursive: true, force: true }))

const neverOpensTheFifo = <T>(action: () => Promise<T>) => neverOpens(fifo, action)

describe('libvips loaders', () => {
  it('refuses SVG, TIFF and every other loader Sagasu does not use, even when sharp is called directly', async () => {
    const tiff = await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } }).tiff().toBuffer()
    await neverOpensTheFifo(async () => {
      await expect(sharp(svgFile).png().toBuffer()).rejects.toThrow(/unsupported image format/)
      await expect(sharp(svg).metadata()).rejects.toThrow(/unsupported image format/)
    })
    await expect(sharp(tiff).metadata()).rejects.toThrow(/unsupported image format/)
  })

  it('still decodes PNG, JPEG, GIF, WebP and AVIF from memory and from files', async () => {
    const base = sharp({ create: { width: 6, height: 4, channels: 3, background: '#208040' } })
    for (const format of ['png', 'jpeg', 'gif', 'webp', 'avif'] as const) {
      const bytes = await base.clone().toFormat(format).toBuffer()
      const file = join(dir, `ok.${format}`)
      await writeFile(file, bytes)
      expect((await sharp(file).metadata()).width, format).toBe(6)
      expect((await openImage(bytes).pipeline.raw().toBuffer({ resolveWithObject: true })).info.height, format).toBe(4)
    }
  })

  it('opens the SVG loader for Sagasu\'s own SVG only while withTrustedSvg runs', async () => {
    const own = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="5" height="3"/>')
    const png = await withTrustedSvg(() => sharp(own).png().toBuffer())
    expect((await sharp(png).metadata()).width).toBe(5)
    await expect(sharp(own).png().toBuffer()).rejects.toThrow(/unsupported image format/)
  })
})

describe('every decode of untrusted bytes checks the magic first', () => {
  it('openImage names what the bytes are', () => {
    expect(() => openImage(svg)).toThrow(UnsupportedImageFormatError)
    expect(() => openImage(Buffer.from('%PDF-1.4\n'))).toThrow('the content is a PDF document')
  })

  it('import: the probe and thumbnail stages refuse an SVG named .png by its real format', async () => {
    await neverOpensTheFifo(async () => {
      await expect(probeImage(svg)).rejects.toMatchObject({ stage: 'probe', message: expect.stringContaining('an SVG document') })
      await expect(makeThumbnail(svg, 'ab'.repeat(8), { dataDir: dir, size: 64, quality: 80 })).rejects.toMatchObject({ stage: 'thumbnail', message: expect.stringContaining('an SVG document') })
    })
  })

  it('model stages: loadModelImage refuses the SVG file without opening what it names', async () => {
    await neverOpensTheFifo(() => expect(loadModelImage(svgFile, 32, 'cover')).rejects.toThrow('not a supported image: the content is an SVG document'))
  })

  it('OCR: decodeForOcr refuses the SVG file without opening what it names', async () => {
    await neverOpensTheFifo(() => expect(decodeForOcr(svgFile, DEFAULT_PREPROCESS_LIMITS)).rejects.toThrow(/not a supported image: the content is an SVG document/))
  })
})
