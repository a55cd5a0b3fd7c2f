import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeImage, decodeImageFile, DECODE_MAX_PIXELS } from './decoded-image'
import { MODEL_DECODE_NEED } from './model-image'

const HUGE = join(import.meta.dirname, '../test/fixtures/ocr/huge-20000.png')

function decoded(result: Awaited<ReturnType<typeof decodeImage>>) {
  if (!result.ok) throw new Error(`expected an image, got ${JSON.stringify(result.failure)}`)
  return result.image
}

describe('the shared decode of the model stages', () => {
  it('drops an alpha channel that is opaque everywhere, keeping the colours, and keeps a real one', async () => {
    const opaque = await sharp({ create: { width: 4, height: 2, channels: 4, background: { r: 200, g: 100, b: 50, alpha: 1 } } }).png().toBuffer()
    const image = decoded(await decodeImage(opaque, [MODEL_DECODE_NEED]))
    expect(image.channels).toBe(3)
    expect([...image.data]).toEqual(Array.from({ length: 8 }, () => [200, 100, 50]).flat())
    const clear = await sharp({ create: { width: 4, height: 2, channels: 4, background: { r: 200, g: 100, b: 50, alpha: 0.5 } } }).png().toBuffer()
    expect(decoded(await decodeImage(clear, [MODEL_DECODE_NEED])).channels).toBe(4)
  })

  it('turns the image upright by its EXIF orientation', async () => {
    const turned = await sharp({ create: { width: 30, height: 10, channels: 3, background: '#336699' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer()
    expect(decoded(await decodeImage(turned, [MODEL_DECODE_NEED]))).toMatchObject({ width: 10, height: 30, source: { width: 30, height: 10, orientation: 6 } })
  })

  it('scales an image over 12 MP down to it, keeping its shape', async () => {
    const large = await sharp({ create: { width: 4800, height: 3000, channels: 3, background: '#808080' } }).png().toBuffer()
    const image = decoded(await decodeImage(large, [MODEL_DECODE_NEED]))
    expect(image.width * image.height).toBeLessThanOrEqual(DECODE_MAX_PIXELS * 1.001)
    expect(image.width * image.height).toBeGreaterThan(DECODE_MAX_PIXELS * 0.99)
    expect(image.width / image.height).toBeCloseTo(1.6, 2)
  })

  it('refuses an image over the pixel limit from its header, and gives failures rather than throwing', async () => {
    expect(await decodeImageFile(HUGE, undefined, [MODEL_DECODE_NEED])).toEqual({ ok: false, failure: { kind: 'too-large', source: { width: 20000, height: 20000, orientation: 1 } } })
    expect(await decodeImageFile('/nonexistent/a.png', undefined, [MODEL_DECODE_NEED])).toMatchObject({ ok: false, failure: { kind: 'unreadable' } })
    expect(await decodeImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), [MODEL_DECODE_NEED])).toMatchObject({ ok: false, failure: { kind: 'unsupported' } })
  })
})
