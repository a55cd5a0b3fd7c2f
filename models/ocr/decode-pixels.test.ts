import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { characterErrorRate } from './character-error-rate'
import { createOcrStage } from '../../workers/ocr/ocr.stage'
import { decodeForOcr } from './decode-pixels'
import { DEFAULT_PREPROCESS_LIMITS, OcrImageError, scaleFor } from './preprocess'

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/ocr')

/**
 * The fixture's text as `colour` strokes on full transparency: each pixel's alpha is its darkness,
 * so the strokes are opaque and the page around them transparent (a caption layer, a sticker).
 */
async function textOnTransparency(fixture: string, colour: number, path: string): Promise<void> {
  const { data, info } = await sharp(join(FIXTURES, fixture)).greyscale().raw().toBuffer({ resolveWithObject: true })
  const rgba = Buffer.alloc(info.width * info.height * 4)
  for (let i = 0; i < info.width * info.height; i++) rgba.fill(colour, i * 4, i * 4 + 3).writeUInt8(255 - data[i]!, i * 4 + 3)
  await sharp(rgba, { raw: { width: info.width, height: info.height, channels: 4 } }).png().toFile(path)
}

let dir: string
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'sagasu-ocr-pre-')) })
afterAll(() => rmSync(dir, { recursive: true, force: true }))


describe('decodeForOcr: the pixels both engines read', () => {
  it('scales a large image down to the pixel budget, keeping its shape', async () => {
    const path = join(dir, 'large.png')
    await sharp({ create: { width: 5000, height: 4000, channels: 3, background: '#ffffff' } }).png().toFile(path)
    const image = await decodeForOcr(path, DEFAULT_PREPROCESS_LIMITS)
    expect(image.width * image.height).toBeLessThanOrEqual(DEFAULT_PREPROCESS_LIMITS.maxPixels)
    expect(image.width / image.height).toBeCloseTo(5000 / 4000, 2)
    expect(image.data.length).toBe(image.width * image.height * 3)
  })

  it('never scales a small image up (each engine scales for itself; tesseract up to twice)', async () => {
    const path = join(dir, 'small.png')
    await sharp({ create: { width: 300, height: 100, channels: 3, background: '#ffffff' } }).png().toFile(path)
    expect(await decodeForOcr(path, DEFAULT_PREPROCESS_LIMITS)).toMatchObject({ width: 300, height: 100, channels: 3 })
    expect(scaleFor(800, 100, DEFAULT_PREPROCESS_LIMITS)).toBeCloseTo(1.25)
    expect(scaleFor(2000, 1000, DEFAULT_PREPROCESS_LIMITS)).toBe(1)
  })

  it('flattens a fully transparent image onto white, as RGB', async () => {
    const path = join(dir, 'transparent.png')
    await sharp({ create: { width: 1200, height: 100, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toFile(path)
    const { data } = await decodeForOcr(path, DEFAULT_PREPROCESS_LIMITS)
    expect(data.length).toBe(1200 * 100 * 3)
    expect(data.every((value) => value === 255)).toBe(true)
  })

  it('flattens light strokes on transparency onto a dark background, dark strokes onto white', async () => {
    // A 1200×100 transparent image with an opaque bar, the bar white or black.
    for (const [colour, background] of [[255, 0], [0, 255]] as const) {
      const bar = Buffer.alloc(1200 * 100 * 4)
      for (let y = 40; y < 60; y++) for (let x = 100; x < 1100; x++) bar.fill(colour, (y * 1200 + x) * 4, (y * 1200 + x) * 4 + 3).writeUInt8(255, (y * 1200 + x) * 4 + 3)
      const path = join(dir, `bar-${colour}.png`)
      await sharp(bar, { raw: { width: 1200, height: 100, channels: 4 } }).png().toFile(path)
      const { data } = await decodeForOcr(path, DEFAULT_PREPROCESS_LIMITS)
      expect(data[(50 * 1200 + 600) * 3], `the bar (${colour})`).toBe(colour)
      expect(data[(10 * 1200 + 600) * 3], `the background behind a ${colour} bar`).toBe(background)
    }
  })

  it('reads white text on a transparent background (it used to vanish into white)', async () => {
    const white = join(dir, 'white-text.png')
    await textOnTransparency('eng.png', 255, white)
    const stage = createOcrStage({ dataDir: dir, languages: ['eng'], workers: 1, dataVariant: '4.0.0', idleUnloadSeconds: 600 })
    try {
      const { text } = await stage.recognise(white)
      expect(characterErrorRate(text, 'Hello Sagasu search\nMeet me at the station')).toBeLessThanOrEqual(0.05)
    } finally {
      await stage.unload()
    }
  }, 120_000)

  it('refuses an image over the input limit from its header, naming the file', async () => {
    const path = join(dir, 'wide.png')
    await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#ffffff' } }).png().toFile(path)
    const error = await decodeForOcr(path, { ...DEFAULT_PREPROCESS_LIMITS, maxInputPixels: 1_000_000 }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OcrImageError)
    expect((error as Error).message).toBe(`${path} is too large for OCR: 3000×2000 pixels (6.0 MP, the limit is 1.0 MP)`)
  })

  it('refuses a truncated file', async () => {
    const full = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#ff0000' } }).png().toBuffer()
    const path = join(dir, 'cut.png')
    writeFileSync(path, full.subarray(0, Math.floor(full.length / 2)))
    await expect(decodeForOcr(path, DEFAULT_PREPROCESS_LIMITS)).rejects.toThrow(new RegExp(`cannot decode ${path}`))
  })
})
