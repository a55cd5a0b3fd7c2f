import { describe, expect, it } from 'vitest'
import { writePngTextChunks } from '../png-chunks'
import { readAiParameters } from '../../stages/ai-metadata.stage'
import { MAX_STEALTH_PAYLOAD_BYTES } from './stealth-header'
import { embedBits, encodePng, encodePng16, noisePixels, stealthBits, stealthPayload, stealthPng, type StealthImage } from './stealth-writer.test-helper'

// Stealth metadata through the import's entry point (readAiParameters), on PNGs written as the
// A1111 extension writes them (stealth-writer.test-helper.ts) and on hostile alpha channels.

const A1111_TEXT = [
  'a circle, 猫',
  'Negative prompt: a square',
  'Steps: 20, Sampler: Euler, Schedule type: Automatic, CFG scale: 7, Seed: 2015833630, Size: 64x64, Model: realisticVisionV51_v51VAE',
].join('\n')

const NOVELAI_JSON = JSON.stringify({
  Description: 'ignored, the Comment prompt wins',
  Software: 'NovelAI',
  Source: 'NovelAI Diffusion V4.5 4BDE2A90',
  Comment: JSON.stringify({ prompt: '1girl, #テスト', uc: 'lowres', steps: 28, scale: 5, seed: 42, sampler: 'k_euler_ancestral', width: 64, height: 48 }),
})

const RGBA: StealthImage = { width: 64, height: 48, channels: 4 }
const RGB: StealthImage = { width: 64, height: 48, channels: 3 }

function expectA1111(result: Awaited<ReturnType<typeof readAiParameters>>): void {
  expect(result.parameters).toMatchObject({ source: 'a1111', prompt: 'a circle, 猫', negativePrompt: 'a square', steps: 20, seed: 2015833630, cfg: 7, sampler: 'Euler' })
  expect(result.warnings).toEqual([])
}

describe('stealth metadata written as the A1111 extension writes it', () => {
  it.each([
    ['stealth_pnginfo', 'RGBA', RGBA],
    ['stealth_pngcomp', 'RGBA', RGBA],
    ['stealth_rgbinfo', 'RGB', RGB],
    ['stealth_rgbcomp', 'RGB', RGB],
    ['stealth_rgbcomp', 'RGBA', RGBA],
  ] as const)('%s in an %s image', async (signature, _, image) => {
    expectA1111(await readAiParameters(await stealthPng(image, signature, A1111_TEXT), 'png'))
  })

  it('follows the stream across columns of an image shorter than its header', async () => {
    // 7 rows: the 152 header bits alone span 22 columns.
    expectA1111(await readAiParameters(await stealthPng({ width: 400, height: 7, channels: 4 }, 'stealth_pngcomp', A1111_TEXT), 'png'))
  })

  it('reads the high byte of 16-bit samples, as Pillow hands them to both writers', async () => {
    const bits = stealthBits('stealth_pngcomp', stealthPayload('stealth_pngcomp', A1111_TEXT))
    const sixteenBit = encodePng16(RGBA, embedBits(RGBA, bits, 'alpha'))
    expectA1111(await readAiParameters(sixteenBit, 'png'))
  })

  it("reads NovelAI's JSON copy of its text fields", async () => {
    const { parameters, warnings } = await readAiParameters(await stealthPng(RGBA, 'stealth_pngcomp', NOVELAI_JSON), 'png')
    expect(parameters).toMatchObject({ source: 'novelai', prompt: '1girl, #テスト', negativePrompt: 'lowres', steps: 28, cfg: 5, seed: 42, model: 'NovelAI Diffusion V4.5 4BDE2A90' })
    expect(parameters?.extra?.size).toBe('64x48')
    expect(warnings).toEqual([])
  })

  it('leaves the pixels alone when a text chunk gave parameters', async () => {
    const png = await stealthPng(RGBA, 'stealth_pngcomp', A1111_TEXT)
    const withText = writePngTextChunks(png, { parameters: 'from the chunk\nSteps: 5, Sampler: DDIM, Seed: 9' }, { chunkType: 'tEXt' })
    const { parameters } = await readAiParameters(withText, 'png')
    expect(parameters).toMatchObject({ prompt: 'from the chunk', steps: 5, seed: 9 })
  })
})

describe('stealth reading of hostile or plain pixels: a warning or nothing', () => {
  async function withBits(image: StealthImage, bits: number[], noisyAlpha = true): Promise<Buffer> {
    const pixels = noisePixels(image.width, image.height, image.channels, 7, noisyAlpha)
    return encodePng(image, embedBits({ ...image, pixels }, bits, 'alpha'))
  }

  it('reads nothing from an alpha channel of noise', async () => {
    const image: StealthImage = { width: 256, height: 256, channels: 4 }
    const png = await encodePng(image, noisePixels(256, 256, 4, 3, true))
    expect(await readAiParameters(png, 'png')).toEqual({ warnings: [] })
  })

  it.each([
    ['plain opaque RGBA', { width: 32, height: 32, channels: 4 }],
    ['plain RGB', { width: 32, height: 32, channels: 3 }],
    ['1x1 RGBA', { width: 1, height: 1, channels: 4 }],
    ['1x1 RGB', { width: 1, height: 1, channels: 3 }],
  ] as const)('reads nothing from a %s image', async (_, image) => {
    expect(await readAiParameters(await encodePng(image, noisePixels(image.width, image.height, image.channels, 5)), 'png')).toEqual({ warnings: [] })
  })

  it('warns about a signature whose length field claims 4 GiB, and reads no further', async () => {
    const image: StealthImage = { width: 256, height: 256, channels: 4 }
    const { parameters, warnings } = await readAiParameters(await withBits(image, stealthBits('stealth_pngcomp', Buffer.alloc(0), 0xfffffff8)), 'png')
    expect(parameters).toBeUndefined()
    expect(warnings).toEqual([expect.objectContaining({ field: 'metadata', reason: expect.stringMatching(/stealth_pngcomp.*length field \(4294967288 bits\) is more than the image can hold/) })])
  })

  it('warns about a length field over the cap even when the image could hold it', async () => {
    // 2.56 Mpx of alpha could hold the 2 Mbit the field claims; the cap still stops the read.
    const side = 1600
    const image: StealthImage = { width: side, height: side, channels: 4 }
    const lengthBits = (MAX_STEALTH_PAYLOAD_BYTES + 8) * 8
    expect(lengthBits).toBeLessThan(side * side)
    const { parameters, warnings } = await readAiParameters(await withBits(image, stealthBits('stealth_pnginfo', Buffer.alloc(0), lengthBits)), 'png')
    expect(parameters).toBeUndefined()
    expect(warnings).toEqual([expect.objectContaining({ reason: expect.stringMatching(/over the 262144-byte limit/) })])
  })

  it('warns about a length field that is not whole bytes', async () => {
    const { parameters, warnings } = await readAiParameters(await withBits(RGBA, stealthBits('stealth_pnginfo', Buffer.alloc(0), 13)), 'png')
    expect(parameters).toBeUndefined()
    expect(warnings).toEqual([expect.objectContaining({ reason: expect.stringMatching(/not a whole number of bytes/) })])
  })

  it('warns about a fake stealth_pngcomp signature followed by noise instead of gzip data', async () => {
    const noise = noisePixels(40, 1, 3, 11)
    const { parameters, warnings } = await readAiParameters(await withBits(RGBA, stealthBits('stealth_pngcomp', noise)), 'png')
    expect(parameters).toBeUndefined()
    expect(warnings).toEqual([expect.objectContaining({ reason: expect.stringMatching(/not valid gzip data/) })])
  })

  it('warns about a fake stealth_pnginfo signature followed by bytes that are not UTF-8', async () => {
    const bytes = Buffer.from([0x61, 0xff, 0xfe, 0x80, 0x62])
    const { parameters, warnings } = await readAiParameters(await withBits(RGBA, stealthBits('stealth_pnginfo', bytes)), 'png')
    expect(parameters).toBeUndefined()
    expect(warnings).toEqual([expect.objectContaining({ reason: expect.stringMatching(/not UTF-8/) })])
  })

  it('does not take free text without an A1111 settings line as a prompt', async () => {
    const payload = stealthPayload('stealth_pnginfo', 'just some words, not generation parameters')
    const { parameters, warnings } = await readAiParameters(await withBits(RGBA, stealthBits('stealth_pnginfo', payload)), 'png')
    expect(parameters).toBeUndefined()
    expect(warnings).toEqual([expect.objectContaining({ generator: 'a1111', reason: expect.stringMatching(/no A1111 settings line/) })])
  })

  it('warns about JSON of a shape no reader knows', async () => {
    const payload = stealthPayload('stealth_pngcomp', JSON.stringify({ hello: 'world' }))
    const { parameters, warnings } = await readAiParameters(await withBits(RGBA, stealthBits('stealth_pngcomp', payload)), 'png')
    expect(parameters).toBeUndefined()
    expect(warnings).toEqual([expect.objectContaining({ reason: expect.stringMatching(/JSON no reader knows/) })])
  })

  it('reads nothing (and does not throw) from a truncated stealth PNG', async () => {
    const png = await stealthPng({ width: 200, height: 200, channels: 4 }, 'stealth_pngcomp', A1111_TEXT)
    for (let cut = 0; cut < png.length; cut += Math.max(1, Math.floor(png.length / 40))) {
      const { parameters } = await readAiParameters(png.subarray(0, cut), 'png')
      if (parameters) expect(parameters.prompt).toBe('a circle, 猫')
    }
  })
})
