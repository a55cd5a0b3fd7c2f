import { deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { writeExifUserComment } from './exif-user-comment'
import { insertJpegExif } from './jpeg-segments'
import { writePngTextChunks } from './png-chunks'
import { readAiMetadata } from './read-ai-metadata'
import { sniffContainer } from './sniff-format'
import { insertWebpExif } from './webp-chunks'
import { rawPngChunk } from './raw-png-chunk.test-helper'

const base = (): sharp.Sharp => sharp({ create: { width: 24, height: 16, channels: 3, background: '#336' } })

const A1111 =
  'masterpiece, 1girl, 雪景色, scarf\nNegative prompt: lowres, worst quality\n' +
  'Steps: 24, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 2024, Size: 512x768, ' +
  'Model hash: abcdef1234, Model: anything-v5, Version: f2.0.1'

const COMFY_PROMPT = JSON.stringify({
  '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'ponyDiffusionV6XL.safetensors' } },
  '2': { class_type: 'CLIPTextEncode', inputs: { text: 'score_9, 1girl, 海辺', clip: ['1', 1] } },
  '3': { class_type: 'CLIPTextEncode', inputs: { text: 'score_1', clip: ['1', 1] } },
  '4': { class_type: 'EmptyLatentImage', inputs: { width: 1024, height: 1024, batch_size: 1 } },
  '5': {
    class_type: 'KSampler',
    inputs: {
      seed: 77, steps: 30, cfg: 6, sampler_name: 'euler', scheduler: 'normal', denoise: 1,
      model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0],
    },
  },
})

describe('readAiMetadata', () => {
  it('reads A1111 parameters from a PNG text chunk', async () => {
    const png = writePngTextChunks(await base().png().toBuffer(), { parameters: A1111 })
    const p = readAiMetadata(png, 'png')!
    expect(p).toMatchObject({
      source: 'a1111',
      prompt: 'masterpiece, 1girl, 雪景色, scarf',
      negativePrompt: 'lowres, worst quality',
      seed: 2024,
      steps: 24,
      cfg: 7,
      sampler: 'Euler a',
      model: 'anything-v5',
    })
    expect(p.extra).toMatchObject({ size: '512x768', modelHash: 'abcdef1234', scheduler: 'Automatic' })
  })

  it('reads a zTXt-compressed Latin-1 parameters chunk as Pillow would write it', async () => {
    const text = 'a lighthouse, café terrace\nSteps: 12, Sampler: DDIM, CFG scale: 4.5, Seed: 9'
    const zTXt = rawPngChunk('zTXt', Buffer.concat([Buffer.from('parameters\0\0', 'latin1'), deflateSync(Buffer.from(text, 'latin1'))]))
    const png = await base().png().toBuffer()
    const out = Buffer.concat([png.subarray(0, 33), zTXt, png.subarray(33)])
    expect(out.toString('latin1', 37, 41)).toBe('zTXt')
    expect(readAiMetadata(out, 'png')).toMatchObject({ source: 'a1111', prompt: 'a lighthouse, café terrace', cfg: 4.5 })
  })

  it('sniffs magic bytes when the format name is wrong', async () => {
    const png = writePngTextChunks(await base().png().toBuffer(), { parameters: A1111 }, { compress: true })
    expect(sniffContainer(png)).toBe('png')
    expect(readAiMetadata(png, 'jpeg')?.seed).toBe(2024)
    expect(readAiMetadata(png, 'gif')?.seed).toBe(2024)
  })

  it('reads an A1111 UserComment from a JPEG', async () => {
    const jpeg = insertJpegExif(await base().jpeg().toBuffer(), writeExifUserComment(A1111, { exifHeader: true }))
    const p = readAiMetadata(jpeg, 'jpeg')!
    expect(p).toMatchObject({ source: 'a1111', prompt: 'masterpiece, 1girl, 雪景色, scarf', steps: 24, seed: 2024 })
    expect(p.raw).toBe(A1111)
  })

  it('reads an A1111 UserComment from a WebP, also when named .png', async () => {
    const webp = insertWebpExif(await base().webp().toBuffer(), writeExifUserComment(A1111))
    expect(readAiMetadata(webp, 'webp')?.model).toBe('anything-v5')
    expect(readAiMetadata(webp, 'png')?.model).toBe('anything-v5')
  })

  it('reads parameters from a JPEG COM segment', async () => {
    const jpeg = await base().jpeg().toBuffer()
    const payload = Buffer.from(A1111, 'utf8')
    const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), payload])
    com.writeUInt16BE(payload.length + 2, 2)
    const out = Buffer.concat([jpeg.subarray(0, 2), com, jpeg.subarray(2)])
    expect(readAiMetadata(out, 'jpeg')?.sampler).toBe('Euler a')
  })

  it('reads a ComfyUI prompt graph from PNG text', async () => {
    const png = writePngTextChunks(await base().png().toBuffer(), { prompt: COMFY_PROMPT, workflow: '{"nodes": []}' })
    expect(readAiMetadata(png, 'png')).toMatchObject({
      source: 'comfyui',
      prompt: 'score_9, 1girl, 海辺',
      negativePrompt: 'score_1',
      seed: 77,
      model: 'ponyDiffusionV6XL.safetensors',
    })
  })

  it('reads ComfyUI graphs tagged "prompt:" in a WebP EXIF field', async () => {
    const webp = insertWebpExif(await base().webp().toBuffer(), writeExifUserComment(`prompt:${COMFY_PROMPT}`))
    expect(readAiMetadata(webp, 'webp')).toMatchObject({ source: 'comfyui', steps: 30 })
  })

  it('reads NovelAI PNG text', async () => {
    const comment = JSON.stringify({ prompt: 'fox girl, 神社', uc: 'lowres', steps: 28, scale: 5, seed: 1, sampler: 'k_euler' })
    const png = writePngTextChunks(await base().png().toBuffer(), {
      Title: 'NovelAI generated image',
      Description: 'fox girl, 神社',
      Software: 'NovelAI',
      Source: 'NovelAI Diffusion V4.5 4BDE2A90',
      Comment: comment,
    })
    expect(readAiMetadata(png, 'png')).toMatchObject({
      source: 'novelai',
      prompt: 'fox girl, 神社',
      negativePrompt: 'lowres',
      cfg: 5,
      model: 'NovelAI Diffusion V4.5 4BDE2A90',
    })
  })

  it('returns undefined for malformed ComfyUI JSON, plain images and garbage', async () => {
    const png = await base().png().toBuffer()
    expect(readAiMetadata(writePngTextChunks(png, { prompt: '{"5": {"class_type": "KSampler",' }), 'png')).toBeUndefined()
    expect(readAiMetadata(png, 'png')).toBeUndefined()
    expect(readAiMetadata(await base().jpeg().toBuffer(), 'jpeg')).toBeUndefined()
    expect(readAiMetadata(await base().gif().toBuffer(), 'gif')).toBeUndefined()
    expect(readAiMetadata(Buffer.from('definitely not an image'), 'png')).toBeUndefined()
    expect(readAiMetadata(Buffer.alloc(0), 'webp')).toBeUndefined()
  })

  it('ignores a UserComment that is not generation parameters', async () => {
    const jpeg = insertJpegExif(await base().jpeg().toBuffer(), writeExifUserComment('Holiday in Kyoto, 2019'))
    expect(readAiMetadata(jpeg, 'jpeg')).toBeUndefined()
  })

  it('survives truncation of every kind of input', async () => {
    const inputs = [
      writePngTextChunks(await base().png().toBuffer(), { parameters: A1111 }),
      insertJpegExif(await base().jpeg().toBuffer(), writeExifUserComment(A1111)),
      insertWebpExif(await base().webp().toBuffer(), writeExifUserComment(A1111)),
    ]
    for (const buf of inputs) {
      for (let len = 0; len < buf.length; len += 3) expect(() => readAiMetadata(buf.subarray(0, len), 'png')).not.toThrow()
    }
  })

  it('caps raw at 64 KiB for a huge workflow', async () => {
    const nodes = Array.from({ length: 3000 }, (_, i) => ({ id: i + 10, type: 'Note', widgets_values: ['メモ'.repeat(20)] }))
    const workflow = JSON.stringify({
      nodes: [{ id: 1, type: 'CLIPTextEncode', widgets_values: ['a huge graph'] }, ...nodes],
      links: [],
    })
    expect(Buffer.byteLength(workflow)).toBeGreaterThan(200_000)
    const png = writePngTextChunks(await base().png().toBuffer(), { workflow }, { compress: true })
    const p = readAiMetadata(png, 'png')!
    expect(p.prompt).toBe('a huge graph')
    expect(Buffer.byteLength(p.raw)).toBeLessThanOrEqual(65536)
    expect(Buffer.byteLength(p.raw)).toBeGreaterThan(65000)
  })
})
