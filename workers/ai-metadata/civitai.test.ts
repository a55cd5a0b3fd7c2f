import { describe, expect, it } from 'vitest'
import type { AiMetadataWarning } from './ai-metadata-read'
import { isCivitaiGraph, parseCivitai } from './civitai'
import { parseJsonLossless } from './lossless-json'

// The shapes of enslo/sd-metadata samples/jpg/civitai-hires.jpg and civitai-upscale.jpg, cut down.
const HIRES = JSON.stringify({
  'resource-stack': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'urn:air:sdxl:checkpoint:civitai:827184@2514310' } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'graph prompt', clip: ['resource-stack', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: 'graph negative', clip: ['resource-stack', 1] } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 1536, height: 1536, batch_size: 1 } },
  '11': { class_type: 'KSampler', inputs: { sampler_name: 'euler_ancestral', scheduler: 'normal', seed: 1311178179, steps: 25, cfg: 5, denoise: 0.3, model: ['resource-stack', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
  '13': { class_type: 'VAEDecode', inputs: { samples: ['11', 0], vae: ['resource-stack', 2] } },
  '12': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['13', 0] } },
  extra: { airs: ['urn:air:sdxl:checkpoint:civitai:827184@2514310'] },
  extraMetadata: JSON.stringify({ prompt: '1girl, #テスト', negativePrompt: 'bad quality, \n', steps: 25, cfgScale: 5, sampler: 'euler_ancestral', seed: 1311178179 }),
})
const UPSCALE = JSON.stringify({
  '23': { class_type: 'UpscaleModelLoader', inputs: { model_name: 'urn:air:other:upscaler:civitai:147759@164821' } },
  '26': { class_type: 'LoadImage', inputs: { image: 'https://example.invalid/a.jpeg' } },
  '22': { class_type: 'ImageUpscaleWithModel', inputs: { upscale_model: ['23', 0], image: ['26', 0] } },
  '12': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['22', 0] } },
  extraMetadata: JSON.stringify({ prompt: '1girl, #テスト', negativePrompt: 'bad quality', cfgScale: 5, sampler: 'Euler a', steps: 25, baseModel: 'Illustrious', width: 1024, height: 1024, seed: 1311178179 }),
})

function read(text: string, warnings: AiMetadataWarning[] = []): ReturnType<typeof parseCivitai> {
  const doc = parseJsonLossless(text) as Record<string, unknown>
  expect(isCivitaiGraph(doc)).toBe(true)
  return parseCivitai(doc, text, warnings)
}

describe('parseCivitai', () => {
  it("takes the request's prompt and settings, and what the request lacks from the graph", () => {
    const p = read(HIRES)!
    expect(p).toMatchObject({ source: 'comfyui', prompt: '1girl, #テスト', negativePrompt: 'bad quality, \n', seed: 1311178179, steps: 25, cfg: 5, sampler: 'euler_ancestral', model: 'urn:air:sdxl:checkpoint:civitai:827184@2514310' })
    expect(p.extra).toMatchObject({ scheduler: 'normal', generator: 'Civitai' })
  })

  it('reads an upscale-only graph (no sampler) from the request alone, with no doubt about the prompt', () => {
    const warnings: AiMetadataWarning[] = []
    const p = read(UPSCALE, warnings)!
    expect(p).toMatchObject({ prompt: '1girl, #テスト', sampler: 'Euler a', model: 'Illustrious', seed: 1311178179, extra: { size: '1024x1024' } })
    expect(warnings.filter((w) => w.field === 'prompt')).toEqual([])
  })

  it('warns when extraMetadata is not JSON and keeps what the graph gave', () => {
    const warnings: AiMetadataWarning[] = []
    const doc = { ...(JSON.parse(HIRES) as Record<string, unknown>), extraMetadata: '{"prompt": "cut' }
    const p = parseCivitai(doc, JSON.stringify(doc), warnings)
    expect(p?.prompt).toBe('graph prompt')
    expect(warnings).toContainEqual(expect.objectContaining({ field: 'metadata' }))
  })
})
