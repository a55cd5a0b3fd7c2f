import { existsSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadAiMetaSet, wrongFields } from '../../test/helpers/aimeta-expectations'
import { writeExifUserComment } from '../ai-metadata/exif-user-comment'
import { insertJpegExif } from '../ai-metadata/jpeg-segments'
import { writePngExif, writePngTextChunks } from '../ai-metadata/png-chunks'
import { rawPngChunk } from '../ai-metadata/raw-png-chunk.test-helper'
import { insertWebpExif } from '../ai-metadata/webp-chunks'
import { PROMPT_CAP_BYTES, readAiParameters } from './ai-metadata.stage'

// The "Bad input" list through the import's entry point: truncated chunks, invalid JSON,
// cyclic and 10,000-node ComfyUI graphs, 16 MB comments (PNG iTXt/zTXt/eXIf, JPEG COM, WebP EXIF).
// Each must give a warning or nothing: never a throw, a hang (the generous timeouts stand for
// "finishes"), or a prompt the file does not hold. Stealth pixels have their own cases in
// workers/ai-metadata/stealth/stealth.test.ts.

const BIG = 60_000
const SIXTEEN_MB = 16 * 1024 * 1024
/** Looks like a prompt, but carries no generator's settings. */
const FILLER = 'masterpiece, best quality, 1girl, solo, '

function filler(bytes: number): string {
  return FILLER.repeat(Math.ceil(bytes / FILLER.length)).slice(0, bytes)
}

let png: Buffer
let jpeg: Buffer
let webp: Buffer
beforeAll(async () => {
  const base = sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 120, b: 40 } } })
  png = await base.clone().png().toBuffer()
  jpeg = await base.clone().jpeg().toBuffer()
  webp = await base.clone().webp().toBuffer()
})

function pngWith(entries: Record<string, string>): Buffer {
  return writePngTextChunks(png, entries, { chunkType: 'iTXt' })
}

describe('truncated files: the real prompt or nothing', () => {
  const realworld = join(import.meta.dirname, '../../../shared/realworld/aimeta')
  if (!existsSync(realworld) && process.env.SAGASU_NO_REALWORLD) {
    it.skip(`skipped: ${realworld} is missing and SAGASU_NO_REALWORLD is set`, () => {})
    return
  }
  // One file per container and generator that is read fully right whole.
  const names = [
    'sdmeta_png_forge-classic.png',
    'sdmeta_jpg_reforge.jpeg',
    'sdmeta_webp_forge-classic.webp',
    'sdmeta_png_novelai-full.png',
    'sdparsers_img2img_cropped.png',
    'sdmeta_jpg_comfyui-saveimagewithmetadata.jpeg',
    'odd_novelai_text_stripped.png',
  ]
  it.each(names)('%s cut at 60 places', async (name) => {
    const set = loadAiMetaSet(realworld)
    const whole = readFileSync(join(set.folder, name))
    const format = extname(name).slice(1)
    const full = await readAiParameters(whole, format)
    expect(wrongFields(full.parameters, set.files[name]!.expect)).toEqual([])
    // Dense over the first 60 KB, where the metadata sits, then spread over the rest.
    const cuts = [...Array.from({ length: 40 }, (_, i) => Math.floor((i * Math.min(whole.length, BIG)) / 40)), ...Array.from({ length: 20 }, (_, i) => Math.floor(((i + 1) * whole.length) / 21))]
    for (const cut of cuts) {
      const { parameters } = await readAiParameters(whole.subarray(0, cut), format)
      if (parameters) expect(parameters.prompt, `cut at ${cut}`).toBe(full.parameters!.prompt)
    }
  }, 120_000)
})

describe('invalid JSON: nothing, or a warning', () => {
  const broken = '{"3": {"class_type": "KSampler", "inputs": {"seed": 1, "positive": ["6", 0'
  it.each([
    ['a ComfyUI prompt cut short', { prompt: broken }],
    ['a ComfyUI workflow cut short', { workflow: '{"nodes": [{"id": 6, "type": "CLIPTextEncode", "widgets_values": ["a c' }],
    ['both cut short', { prompt: broken, workflow: '{"nodes": [' }],
    ['a prompt that is an array', { prompt: '[1, 2, 3]' }],
    ['a prompt that is a string', { prompt: '"a cat"' }],
    ['nodes of the wrong types', { prompt: '{"3": null, "4": {"class_type": 5, "inputs": null}, "5": {"class_type": "KSampler", "inputs": {"positive": 7}}}' }],
    ['SwarmUI-style JSON cut short in parameters', { parameters: '{"sui_image_params": {"prompt": "a cat", "seed": 1' }],
    ['NovelAI text with a cut Comment and no Description', { Software: 'NovelAI', Comment: '{"prompt": "a cat", "steps": 2' }],
  ])('PNG with %s', async (_, entries) => {
    const { parameters } = await readAiParameters(pngWith(entries), 'png')
    expect(parameters?.prompt ?? '').toBe('')
  })

  it.each([
    ['JPEG', () => insertJpegExif(jpeg, writeExifUserComment('{"prompt": {"3": {"class_type": "KSampler", "inputs": {')), 'jpeg'],
    ['WebP', () => insertWebpExif(webp, writeExifUserComment('{"Comment": "{\\"prompt\\": \\"a cat\\", \\"steps\\"')), 'webp'],
  ] as const)('%s EXIF UserComment holding JSON cut short', async (_, make, format) => {
    const { parameters } = await readAiParameters(make(), format)
    expect(parameters?.prompt ?? '').toBe('')
  })
})

describe('cyclic and 10,000-node ComfyUI graphs: the real prompt, or nothing, and no hang', () => {
  const sampler = (positive: string) => ({
    class_type: 'KSampler',
    inputs: { seed: 7, steps: 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: [positive, 0], negative: [positive, 0], latent_image: ['5', 0] },
  })
  const tail = {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'model.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'x' } },
  }

  async function promptOf(graph: Record<string, unknown>): Promise<string | undefined> {
    const { parameters } = await readAiParameters(pngWith({ prompt: JSON.stringify(graph) }), 'png')
    return parameters?.prompt || undefined
  }

  it('a conditioning combiner that feeds itself', async () => {
    const graph = {
      ...tail,
      '3': sampler('10'),
      '10': { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['10', 0], conditioning_2: ['11', 0] } },
      '11': { class_type: 'Reroute', inputs: { '': ['10', 0] } },
    }
    expect(await promptOf(graph)).toBeUndefined()
  }, 60_000)

  it('two reroutes feeding each other', async () => {
    const graph = { ...tail, '3': sampler('10'), '10': { class_type: 'Reroute', inputs: { '': ['11', 0] } }, '11': { class_type: 'Reroute', inputs: { '': ['10', 0] } } }
    expect(await promptOf(graph)).toBeUndefined()
  }, 60_000)

  it('a sampler that feeds its own latent', async () => {
    const graph = { ...tail, '3': { ...sampler('6'), inputs: { ...sampler('6').inputs, latent_image: ['3', 0] } }, '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['4', 1] } } }
    const prompt = await promptOf(graph)
    if (prompt !== undefined) expect(prompt).toBe('a cat')
  }, 60_000)

  it('a chain of 10,000 reroutes before the prompt', async () => {
    const graph: Record<string, unknown> = { ...tail, '3': sampler('r1') }
    for (let i = 1; i <= 10_000; i++) graph[`r${i}`] = { class_type: 'Reroute', inputs: { '': [i === 10_000 ? '6' : `r${i + 1}`, 0] } }
    graph['6'] = { class_type: 'CLIPTextEncode', inputs: { text: 'at the end of the chain', clip: ['4', 1] } }
    const prompt = await promptOf(graph)
    if (prompt !== undefined) expect(prompt).toBe('at the end of the chain')
  }, 60_000)

  it('10,000 unconnected nodes around a plain graph', async () => {
    const graph: Record<string, unknown> = { ...tail, '3': sampler('6'), '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a plain prompt', clip: ['4', 1] } } }
    for (let i = 0; i < 10_000; i++) graph[`n${i}`] = { class_type: 'CLIPTextEncode', inputs: { text: `unused ${i}`, clip: ['4', 1] } }
    const prompt = await promptOf(graph)
    if (prompt !== undefined) expect(prompt).toBe('a plain prompt')
  }, 60_000)
})

describe('16 MB comments: nothing, and no hang', () => {
  it('PNG iTXt Comment of 16 MB (no generator)', async () => {
    expect((await readAiParameters(pngWith({ Comment: filler(SIXTEEN_MB) }), 'png')).parameters).toBeUndefined()
  }, 120_000)

  it('PNG iTXt parameters of 16 MB without a settings line: nothing, or its first 64 KiB with warnings', async () => {
    // A1111's own keyword, so the readers may keep the text as a prompt, but never silently and
    // never whole: the stored prompt is capped.
    const { parameters, warnings } = await readAiParameters(pngWith({ parameters: filler(SIXTEEN_MB) }), 'png')
    if (parameters) {
      expect(parameters.prompt.startsWith(FILLER)).toBe(true)
      expect(Buffer.byteLength(parameters.prompt)).toBeLessThanOrEqual(PROMPT_CAP_BYTES)
      expect(warnings).toContainEqual(expect.objectContaining({ generator: 'a1111', field: 'metadata' }))
      expect(warnings).toContainEqual(expect.objectContaining({ generator: 'a1111', field: 'prompt' }))
    }
  }, 120_000)

  it('a prompt over 64 KiB with a settings line is cut at a character boundary, with a warning', async () => {
    const prompt = '雪'.repeat(30_000) // 90,000 bytes of UTF-8
    const { parameters, warnings } = await readAiParameters(pngWith({ parameters: `${prompt}\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 5` }), 'png')
    expect(parameters?.seed).toBe(5)
    expect(parameters!.prompt).toBe('雪'.repeat(Math.floor(PROMPT_CAP_BYTES / 3)))
    expect(warnings).toEqual([expect.objectContaining({ generator: 'a1111', field: 'prompt', reason: expect.stringContaining('90,000 bytes') })])
  })

  it('PNG zTXt parameters that inflate past 16 MiB', async () => {
    const text = `${filler(SIXTEEN_MB + 1024)}\nSteps: 20, Sampler: Euler, Seed: 1`
    const chunk = rawPngChunk('zTXt', Buffer.concat([Buffer.from('parameters\0\0', 'latin1'), deflateSync(Buffer.from(text, 'latin1'))]))
    const iend = png.length - 12
    const file = Buffer.concat([png.subarray(0, iend), chunk, png.subarray(iend)])
    expect((await readAiParameters(file, 'png')).parameters).toBeUndefined()
  }, 120_000)

  it('PNG eXIf UserComment of 16 MB', async () => {
    const file = writePngExif(png, writeExifUserComment(filler(SIXTEEN_MB / 2)))
    expect((await readAiParameters(file, 'png')).parameters).toBeUndefined()
  }, 120_000)

  it('WebP EXIF UserComment of 16 MB', async () => {
    const file = insertWebpExif(webp, writeExifUserComment(filler(SIXTEEN_MB / 2)))
    expect((await readAiParameters(file, 'webp')).parameters).toBeUndefined()
  }, 120_000)

  it('JPEG COM segments of 16 MB in all', async () => {
    const segment = Buffer.concat([Buffer.from([0xff, 0xfe, 0xff, 0xff]), Buffer.from(filler(0xffff - 2), 'latin1')])
    const count = Math.ceil(SIXTEEN_MB / segment.length)
    const file = Buffer.concat([jpeg.subarray(0, 2), ...Array.from({ length: count }, () => segment), jpeg.subarray(2)])
    expect(file.length).toBeGreaterThan(SIXTEEN_MB)
    expect((await readAiParameters(file, 'jpeg')).parameters).toBeUndefined()
  }, 120_000)

  it('a JPEG COM segment whose length runs past the end of the file', async () => {
    const file = Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xfe, 0xff, 0xff]), Buffer.from('a cat\nSteps: 20, Sampler: Euler, Seed: 1', 'latin1')])
    expect((await readAiParameters(file, 'jpeg')).parameters).toBeUndefined()
  })
})
