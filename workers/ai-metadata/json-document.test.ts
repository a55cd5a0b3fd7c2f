import { describe, expect, it } from 'vitest'
import type { AiMetadataWarning } from './ai-metadata-read'
import { looksLikeJson, readJsonDocument } from './json-document'

const GRAPH = {
  '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'waiIllustriousSDXL_v160.safetensors' } },
  '2': { class_type: 'CLIPTextEncode', inputs: { text: '1girl, solo', clip: ['1', 1] } },
  '3': { class_type: 'CLIPTextEncode', inputs: { text: 'bad quality', clip: ['1', 1] } },
  '4': { class_type: 'EmptyLatentImage', inputs: { width: 1024, height: 1024, batch_size: 1 } },
  '5': { class_type: 'KSampler', inputs: { seed: 434067965194649, steps: 20, cfg: 5, sampler_name: 'euler_ancestral', scheduler: 'karras', denoise: 1, model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0] } },
  '6': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
  '12': { class_type: 'SaveImagePlus', inputs: { file_type: 'JPEG', images: ['6', 0] } },
}

function read(text: string): { p: ReturnType<typeof readJsonDocument>; warnings: AiMetadataWarning[] } {
  const warnings: AiMetadataWarning[] = []
  return { p: readJsonDocument(text, 'EXIF UserComment', warnings), warnings }
}

describe('readJsonDocument', () => {
  it('reads Save Image Plus\'s {"prompt": graph, "workflow": graph} wrapper as ComfyUI', () => {
    const { p } = read(JSON.stringify({ prompt: GRAPH, workflow: { nodes: [], links: [] } }))
    expect(p).toMatchObject({ source: 'comfyui', prompt: '1girl, solo', negativePrompt: 'bad quality', seed: 434067965194649, model: 'waiIllustriousSDXL_v160.safetensors' })
  })

  it('reads NovelAI\'s WebP wrapper {"Comment": "{…}", "Source": …}', () => {
    const comment = JSON.stringify({ prompt: '2girls, #テスト', uc: 'lowres', steps: 28, scale: 5, seed: 447042893, sampler: 'k_euler_ancestral', noise_schedule: 'karras', width: 1024, height: 1024 })
    const { p } = read(JSON.stringify({ Comment: comment, Description: '\0\0\0\0' + '2girls', Software: 'NovelAI', Source: 'NovelAI Diffusion V4.5 4BDE2A90' }))
    expect(p).toMatchObject({ source: 'novelai', prompt: '2girls, #テスト', negativePrompt: 'lowres', seed: 447042893, cfg: 5, model: 'NovelAI Diffusion V4.5 4BDE2A90', extra: { size: '1024x1024', scheduler: 'karras' } })
  })

  it('tells SwarmUI, Fooocus, RuinedFooocus, TensorArt, HF Space and a bare graph apart by shape', () => {
    expect(read(JSON.stringify({ sui_image_params: { prompt: 'a' } })).p?.source).toBe('swarmui')
    expect(read(JSON.stringify({ prompt: 'a', guidance_scale: 4, resolution: '(1, 2)', metadata_scheme: 'fooocus' })).p?.source).toBe('fooocus')
    expect(read(JSON.stringify({ Prompt: 'a', base_model_name: 'm', software: 'RuinedFooocus' })).p?.extra?.software).toBe('RuinedFooocus')
    expect(read(JSON.stringify({ prompt: 'a', cfgScale: 7, ksamplerName: 'euler', baseModel: {} })).p?.source).toBe('tensorart')
    expect(read(JSON.stringify({ prompt: 'a', num_inference_steps: 20, resolution: '512 x 512' })).p?.source).toBe('hf-space')
    expect(read(JSON.stringify(GRAPH)).p).toMatchObject({ source: 'comfyui', steps: 20 })
  })

  it('never takes an unknown or broken JSON document for a prompt: nothing, with a warning', () => {
    const unknown = read('{"title": "holiday", "prompt_version": 2}')
    expect(unknown.p).toBeUndefined()
    expect(unknown.warnings).toEqual([expect.objectContaining({ field: 'metadata' })])
    const broken = read('{"sui_image_params": {"prompt": "cut')
    expect(broken.p).toBeUndefined()
    expect(broken.warnings).toEqual([expect.objectContaining({ field: 'metadata', reason: expect.stringContaining('not a valid JSON object') })])
    expect(read('[1, 2]').p).toBeUndefined()
  })

  it('stays quiet about JSON in EXIF that speaks of no generation (a phone\'s own UserComment)', () => {
    const phone = read('{"mode": "portrait", "hdr": true}')
    expect(phone).toEqual({ p: undefined, warnings: [] })
    const warnings: AiMetadataWarning[] = []
    expect(readJsonDocument('{"mode": "portrait"}', 'parameters', warnings)).toBeUndefined()
    expect(warnings).toHaveLength(1)
  })

  it('knows JSON by its first character', () => {
    expect(looksLikeJson('  {"a": 1}')).toBe(true)
    expect(looksLikeJson('masterpiece, {best quality}')).toBe(false)
  })
})
