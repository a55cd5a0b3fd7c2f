import { describe, expect, it } from 'vitest'
import type { AiMetadataWarning } from '../ai-metadata-read'
import { parseComfyPrompt } from '../comfyui'
import { node, txt2img } from './test-graphs.test-helper'

// Which sampler describes the image: found from the saved image, first pass by the graph.

describe('the sampler chain of a ComfyUI graph', () => {
  it('takes the first pass, not the hires pass that feeds the saved image, even when the hires pass has the lower id', () => {
    const graph = txt2img({
      '1a': node('LatentUpscaleBy', { upscale_method: 'nearest-exact', scale_by: 1.5, samples: ['5', 0] }),
      // The hires sampler's id sorts first ("0" < "5").
      '0': node('KSampler', {
        seed: 99, steps: 10, cfg: 4, sampler_name: 'dpmpp_2m', scheduler: 'karras', denoise: 0.4,
        model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['1a', 0],
      }),
      '6': node('VAEDecode', { samples: ['0', 0], vae: ['1', 2] }),
    })
    const p = parseComfyPrompt(graph)!
    expect(p).toMatchObject({ seed: 7, steps: 20, cfg: 6, sampler: 'euler' })
    expect(p.extra).toMatchObject({ scheduler: 'normal', size: '832x1216', denoise: '1' })
  })

  it('goes back through an image round trip (decode, model upscale, scale, encode) to the first pass', () => {
    const graph = txt2img({
      '10': node('UpscaleModelLoader', { model_name: '4x.pth' }),
      '11': node('ImageUpscaleWithModel', { upscale_model: ['10', 0], image: ['6', 0] }),
      '12': node('ImageScale', { upscale_method: 'bicubic', width: 1248, height: 1824, crop: 'disabled', image: ['11', 0] }),
      '13': node('VAEEncode', { pixels: ['12', 0], vae: ['1', 2] }),
      '14': node('KSampler', {
        seed: 1, steps: 8, cfg: 5, sampler_name: 'euler_ancestral', scheduler: 'simple', denoise: 0.3,
        model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['13', 0],
      }),
      '15': node('VAEDecode', { samples: ['14', 0], vae: ['1', 2] }),
      '16': node('SaveImage', { filename_prefix: 'up', images: ['15', 0] }),
      // The first pass is only previewed.
      '7': node('PreviewImage', { images: ['6', 0] }),
    })
    const p = parseComfyPrompt(graph)!
    expect(p).toMatchObject({ seed: 7, steps: 20, sampler: 'euler' })
    expect(p.extra?.size).toBe('832x1216')
  })

  it('takes the first stage of a KSamplerAdvanced split (base then refiner), whose seed adds the noise', () => {
    const advanced = (seed: number, start: number, addNoise: string, latent: string) =>
      node('KSamplerAdvanced', {
        add_noise: addNoise, noise_seed: seed, steps: 30, cfg: 7, sampler_name: 'dpmpp_2m', scheduler: 'karras',
        start_at_step: start, end_at_step: start === 0 ? 24 : 10000, return_with_leftover_noise: 'enable',
        model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: [latent, 0],
      })
    const graph = txt2img({ '5': advanced(123, 0, 'enable', '4'), '2b': advanced(0, 24, 'disable', '5'), '6': node('VAEDecode', { samples: ['2b', 0], vae: ['1', 2] }) })
    expect(parseComfyPrompt(graph)).toMatchObject({ seed: 123 })
  })

  it('reads the size from a resolution picker that states it as text (rgthree)', () => {
    const graph = txt2img({ '4': node('SDXL Empty Latent Image (rgthree)', { dimensions: ' 896 x 1152  (portrait)', clip_scale: 1, batch_size: 1 }) })
    expect(parseComfyPrompt(graph)?.extra?.size).toBe('896x1152')
  })

  it('warns instead of giving a size when the latent comes from a loaded image', () => {
    const warnings: AiMetadataWarning[] = []
    const graph = txt2img({
      '4': node('VAEEncode', { pixels: ['8', 0], vae: ['1', 2] }),
      '8': node('LoadImage', { image: 'photo.png' }),
    })
    const p = parseComfyPrompt(graph, warnings)!
    expect(p.extra?.size).toBeUndefined()
    expect(warnings).toContainEqual({ generator: 'comfyui', field: 'size', reason: expect.stringContaining('8 (LoadImage)') })
  })

  it('warns when the latent is merged from several passes (noisy latent composition)', () => {
    const warnings: AiMetadataWarning[] = []
    const graph = txt2img({
      '20': node('EmptyLatentImage', { width: 1280, height: 704, batch_size: 1 }),
      '21': node('KSampler', {
        seed: 5, steps: 20, cfg: 6, sampler_name: 'euler', scheduler: 'normal', denoise: 1,
        model: ['1', 0], positive: ['3', 0], negative: ['3', 0], latent_image: ['20', 0],
      }),
      '22': node('LatentComposite', { x: 0, y: 0, feather: 0, samples_to: ['21', 0], samples_from: ['5', 0] }),
      '23': node('KSampler', {
        seed: 6, steps: 20, cfg: 6, sampler_name: 'euler', scheduler: 'normal', denoise: 0.5,
        model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['22', 0],
      }),
      '6': node('VAEDecode', { samples: ['23', 0], vae: ['1', 2] }),
    })
    parseComfyPrompt(graph, warnings)
    expect(warnings).toContainEqual({ generator: 'comfyui', field: 'prompt', reason: expect.stringContaining('22 (LatentComposite)') })
  })

  it('warns when the graph saves images of two separate generations, since the file is only one of them', () => {
    const warnings: AiMetadataWarning[] = []
    const graph = txt2img({
      '20': node('KSampler', {
        seed: 20, steps: 20, cfg: 6, sampler_name: 'euler', scheduler: 'normal', denoise: 1,
        model: ['1', 0], positive: ['3', 0], negative: ['2', 0], latent_image: ['4', 0],
      }),
      '21': node('VAEDecode', { samples: ['20', 0], vae: ['1', 2] }),
      '22': node('SaveImage', { filename_prefix: 'second', images: ['21', 0] }),
    })
    expect(parseComfyPrompt(graph, warnings)?.seed).toBe(7)
    expect(warnings).toEqual([{ generator: 'comfyui', field: 'prompt', reason: expect.stringContaining('7 (SaveImage) and node 22 (SaveImage)') }])
  })

  it('follows the model through LoRA loaders and takes the first model of a merge', () => {
    const graph = txt2img(
      {
        '8': node('CheckpointLoaderSimple', { ckpt_name: 'other.safetensors' }),
        '9': node('ModelMergeSimple', { ratio: 0.5, model1: ['1', 0], model2: ['8', 0] }),
        '10': node('LoraLoader', { lora_name: 'style.safetensors', strength_model: 1, strength_clip: 1, model: ['9', 0], clip: ['1', 1] }),
      },
      { model: ['10', 0] },
    )
    const p = parseComfyPrompt(graph)!
    expect(p.model).toBe('base.safetensors')
    expect(p.extra?.loras).toBe('style.safetensors')
  })
})
