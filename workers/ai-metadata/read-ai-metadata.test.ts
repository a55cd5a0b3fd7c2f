import { deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { writeExifUserComment } from './exif-user-comment'
import { insertJpegExif } from './jpeg-segments'
import { writePngTextChunks } from './png-chunks'
import { readAiMetadata, readAiMetadataReport } from './read-ai-metadata'
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

describe('readAiMetadataReport: the reader is chosen by what the file holds', () => {
  const SWARM = JSON.stringify({ sui_image_params: { prompt: '1girl, #テスト', negativeprompt: 'bad', seed: 733776228, steps: 20, cfgscale: 7, width: 768, height: 768, sampler: 'euler_ancestral', scheduler: 'karras', model: 'waiIllustriousSDXL_v160' } })

  it('reads JSON in the parameters chunk by its shape, never as the prompt (SwarmUI beside its graph)', async () => {
    const png = writePngTextChunks(await base().png().toBuffer(), { prompt: COMFY_PROMPT, parameters: SWARM })
    const { parameters, warnings } = readAiMetadataReport(png, 'png')
    expect(parameters).toMatchObject({ source: 'swarmui', prompt: '1girl, #テスト', seed: 733776228, cfg: 7, extra: { size: '768x768', scheduler: 'karras' } })
    expect(warnings).toEqual([])
  })

  it('gives a warning, not a prompt, for JSON of no known shape in parameters', async () => {
    const png = writePngTextChunks(await base().png().toBuffer(), { parameters: '{"tool": "upscaler", "factor": 2}' })
    const { parameters, warnings } = readAiMetadataReport(png, 'png')
    expect(parameters).toBeUndefined()
    expect(warnings).toEqual([expect.objectContaining({ field: 'metadata' })])
  })

  it('keeps UTF-8 written into a tEXt chunk (Stability Matrix, TensorArt) instead of turning it into mojibake', async () => {
    const text = '1girl, #テスト\nSteps: 20, Sampler: Euler a, CFG scale: 5, Seed: 7'
    const tEXt = rawPngChunk('tEXt', Buffer.concat([Buffer.from('parameters\0', 'latin1'), Buffer.from(text, 'utf8')]))
    const png = await base().png().toBuffer()
    const out = Buffer.concat([png.subarray(0, 33), tEXt, png.subarray(33)])
    expect(readAiMetadata(out, 'png')?.prompt).toBe('1girl, #テスト')
  })

  it('lets a ComfyUI graph that resolves win over the parameters text of Comfy Image Saver', async () => {
    const saver = 'unknown\nNegative prompt: unknown\nSteps: 20, Sampler: euler_simple, CFG Scale: 8.0, Seed: 0, Size: 512x512, Model: JANKUV5NSFWTrainedNoobai_v50, Version: ComfyUI'
    const png = writePngTextChunks(await base().png().toBuffer(), { parameters: saver, prompt: COMFY_PROMPT })
    const { parameters, warnings } = readAiMetadataReport(png, 'png')
    expect(parameters).toMatchObject({ source: 'comfyui', prompt: 'score_9, 1girl, 海辺', seed: 77, steps: 30, cfg: 6 })
    expect(warnings).toEqual([])
    // Without the graph, the text is all there is: read, with its placeholder prompt named.
    const alone = readAiMetadataReport(writePngTextChunks(await base().png().toBuffer(), { parameters: saver }), 'png')
    expect(alone.parameters).toMatchObject({ source: 'a1111', prompt: 'unknown', cfg: 8 })
    expect(alone.warnings.map((w) => w.field)).toEqual(['prompt', 'negativePrompt'])
  })

  it("fills what the graph lacks from A1111 text of the same generation (SaveImageWithMetaData)", async () => {
    const graph = JSON.parse(COMFY_PROMPT) as Record<string, unknown>
    delete graph['1']
    const same = 'score_9, 1girl, 海辺\nNegative prompt: score_1\nSteps: 30, Sampler: Euler, CFG scale: 6, Seed: 77, Size: 832x1216, Model: ponyDiffusionV6XL'
    const png = writePngTextChunks(await base().png().toBuffer(), { parameters: same, prompt: JSON.stringify(graph) })
    expect(readAiMetadata(png, 'png')).toMatchObject({ source: 'comfyui', seed: 77, model: 'ponyDiffusionV6XL' })
  })

  it('reads a parameters text without a settings line as a prompt only, with a warning', async () => {
    const png = writePngTextChunks(await base().png().toBuffer(), { parameters: 'a quiet lake at dawn' })
    const { parameters, warnings } = readAiMetadataReport(png, 'png')
    expect(parameters).toMatchObject({ source: 'a1111', prompt: 'a quiet lake at dawn' })
    expect(warnings).toEqual([expect.objectContaining({ generator: 'a1111', field: 'metadata' })])
  })

  it('reads InvokeAI, Stability Matrix and TensorArt by their own PNG keywords', async () => {
    const png = await base().png().toBuffer()
    const invoke = writePngTextChunks(png, { invokeai_metadata: JSON.stringify({ positive_prompt: 'a fox', steps: 24, scheduler: 'euler_a', model: { name: 'sdxl' } }) })
    expect(readAiMetadata(invoke, 'png')).toMatchObject({ source: 'invokeai', prompt: 'a fox', steps: 24, sampler: 'euler_a' })
    const sm = writePngTextChunks(png, { parameters: 'a fox\nSteps: 20, Sampler: Euler Ancestral Karras, CFG scale: 5, Seed: 1', 'parameters-json': JSON.stringify({ PositivePrompt: 'a fox', Steps: 20, Seed: 1 }) })
    expect(readAiMetadata(sm, 'png')).toMatchObject({ source: 'stability-matrix', prompt: 'a fox' })
    const ta = writePngTextChunks(png, { generation_data: JSON.stringify({ prompt: 'a fox', seed: '-1', cfgScale: 7, ksamplerName: 'euler', baseModel: {} }), prompt: COMFY_PROMPT })
    expect(readAiMetadata(ta, 'png')).toMatchObject({ source: 'tensorart', prompt: 'a fox', seed: 77, cfg: 7 })
  })

  it('reads JSON wrappers in EXIF: SwarmUI (JPEG), Save Image Plus and NovelAI (WebP)', async () => {
    const jpeg = insertJpegExif(await base().jpeg().toBuffer(), writeExifUserComment(SWARM, { exifHeader: true }))
    expect(readAiMetadata(jpeg, 'jpeg')).toMatchObject({ source: 'swarmui', seed: 733776228 })
    const plus = JSON.stringify({ prompt: JSON.parse(COMFY_PROMPT) as unknown, workflow: { nodes: [], links: [] } })
    const webp = insertWebpExif(await base().webp().toBuffer(), writeExifUserComment(plus))
    expect(readAiMetadata(webp, 'webp')).toMatchObject({ source: 'comfyui', prompt: 'score_9, 1girl, 海辺', seed: 77 })
    const nai = JSON.stringify({ Comment: JSON.stringify({ prompt: 'fox girl', uc: 'lowres', steps: 28, scale: 5, seed: 1 }), Software: 'NovelAI', Source: 'NovelAI Diffusion V4.5 4BDE2A90' })
    const naiWebp = insertWebpExif(await base().webp().toBuffer(), writeExifUserComment(nai, { imageDescription: 'fox girl' }))
    expect(readAiMetadata(naiWebp, 'webp')).toMatchObject({ source: 'novelai', prompt: 'fox girl', negativePrompt: 'lowres', steps: 28, model: 'NovelAI Diffusion V4.5 4BDE2A90' })
  })
})
