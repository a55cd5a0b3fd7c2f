import { describe, expect, it } from 'vitest'
import { parseComfyPrompt, parseComfyUi, parseComfyWorkflow } from './comfyui'
import { parseJsonLossless, quoteUnsafeIntegers } from './lossless-json'

// An SDXL graph as ComfyUI's API format serialises it: LoRA on the model and
// clip paths, an SDXL text encoder combined with a second prompt, a reroute,
// a ControlNet applier carrying both conditionings, and a hires-fix pass.
// The seed is written as a bare literal on purpose: JSON.parse would round it.
const SDXL_PROMPT = `{
  "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "animagine-xl-3.1.safetensors"}},
  "10": {"class_type": "LoraLoader", "inputs": {"lora_name": "flat_color.safetensors", "strength_model": 0.8,
         "strength_clip": 0.8, "model": ["4", 0], "clip": ["4", 1]}},
  "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 832, "height": 1216, "batch_size": 1}},
  "6": {"class_type": "CLIPTextEncodeSDXL", "inputs": {"width": 4096, "height": 4096, "crop_w": 0, "crop_h": 0,
        "target_width": 4096, "target_height": 4096, "text_g": "1girl, 桜, kimono", "text_l": "1girl, 桜, kimono",
        "clip": ["10", 1]}},
  "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "lowres, bad hands", "clip": ["10", 1]}},
  "12": {"class_type": "CLIPTextEncode", "inputs": {"text": "night sky, lanterns", "clip": ["10", 1]}},
  "13": {"class_type": "ConditioningCombine", "inputs": {"conditioning_1": ["6", 0], "conditioning_2": ["12", 0]}},
  "14": {"class_type": "ReroutePrimitive|pysssss", "inputs": {"value": ["13", 0]}},
  "16": {"class_type": "ControlNetLoader", "inputs": {"control_net_name": "openpose.safetensors"}},
  "17": {"class_type": "LoadImage", "inputs": {"image": "pose.png", "upload": "image"}},
  "15": {"class_type": "ControlNetApplyAdvanced", "inputs": {"strength": 0.6, "start_percent": 0, "end_percent": 1,
         "positive": ["14", 0], "negative": ["7", 0], "control_net": ["16", 0], "image": ["17", 0]}},
  "3": {"class_type": "KSampler", "inputs": {"seed": 18446744073709551614, "steps": 28, "cfg": 6.5,
        "sampler_name": "euler_ancestral", "scheduler": "karras", "denoise": 1, "model": ["10", 0],
        "positive": ["15", 0], "negative": ["15", 1], "latent_image": ["5", 0]}},
  "18": {"class_type": "LatentUpscaleBy", "inputs": {"upscale_method": "nearest-exact", "scale_by": 1.5, "samples": ["3", 0]}},
  "20": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 12, "cfg": 5, "sampler_name": "dpmpp_2m",
         "scheduler": "normal", "denoise": 0.45, "model": ["10", 0], "positive": ["15", 0], "negative": ["15", 1],
         "latent_image": ["18", 0]}},
  "8": {"class_type": "VAEDecode", "inputs": {"samples": ["20", 0], "vae": ["4", 2]}},
  "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}}
}`

const FLUX_PROMPT = JSON.stringify({
  '1': { class_type: 'UNETLoader', inputs: { unet_name: 'flux1-dev.safetensors', weight_dtype: 'default' } },
  '2': { class_type: 'DualCLIPLoader', inputs: { clip_name1: 't5xxl_fp16.safetensors', clip_name2: 'clip_l.safetensors', type: 'flux' } },
  '3': { class_type: 'CLIPTextEncode', inputs: { text: 'a red fox in snow', clip: ['2', 0] } },
  '4': { class_type: 'FluxGuidance', inputs: { guidance: 3.5, conditioning: ['3', 0] } },
  '5': { class_type: 'BasicGuider', inputs: { model: ['1', 0], conditioning: ['4', 0] } },
  '6': { class_type: 'RandomNoise', inputs: { noise_seed: 42 } },
  '7': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler' } },
  '8': { class_type: 'BasicScheduler', inputs: { scheduler: 'simple', steps: 20, denoise: 1, model: ['1', 0] } },
  '9': { class_type: 'EmptySD3LatentImage', inputs: { width: 1024, height: 1024, batch_size: 1 } },
  '10': {
    class_type: 'SamplerCustomAdvanced',
    inputs: { noise: ['6', 0], guider: ['5', 0], sampler: ['7', 0], sigmas: ['8', 0], latent_image: ['9', 0] },
  },
})

describe('parseComfyPrompt', () => {
  it('extracts an SDXL graph through combiners, reroutes, ControlNet and LoRA', () => {
    const p = parseComfyPrompt(SDXL_PROMPT)!
    expect(p.source).toBe('comfyui')
    expect(p.prompt).toBe('1girl, 桜, kimono\nnight sky, lanterns')
    expect(p.negativePrompt).toBe('lowres, bad hands')
    // The base pass wins over the hires-fix sampler that feeds the saved image.
    expect(p).toMatchObject({ steps: 28, cfg: 6.5, sampler: 'euler_ancestral', model: 'animagine-xl-3.1.safetensors' })
    expect(p.seed).toBeUndefined()
    expect(p.extra).toEqual({
      seed: '18446744073709551614',
      scheduler: 'karras',
      denoise: '1',
      loras: 'flat_color.safetensors',
      size: '832x1216',
    })
    expect(p.raw).toBe(SDXL_PROMPT)
  })

  it('follows SamplerCustomAdvanced through guider, noise, sampler and sigmas nodes', () => {
    const p = parseComfyPrompt(FLUX_PROMPT)!
    expect(p).toMatchObject({ prompt: 'a red fox in snow', seed: 42, steps: 20, sampler: 'euler', model: 'flux1-dev.safetensors' })
    expect(p.negativePrompt).toBeUndefined()
    expect(p.cfg).toBeUndefined()
    expect(p.extra).toEqual({ scheduler: 'simple', denoise: '1', size: '1024x1024' })
  })

  it('reads KSamplerAdvanced noise_seed and settings wired from primitive nodes', () => {
    const p = parseComfyPrompt(
      JSON.stringify({
        '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'base.safetensors' } },
        '2': { class_type: 'CLIPTextEncode', inputs: { text: 'positive', clip: ['1', 1] } },
        '3': { class_type: 'CLIPTextEncode', inputs: { text: 'negative', clip: ['1', 1] } },
        '4': { class_type: 'Seed (rgthree)', inputs: { seed: 1234 } },
        '5': { class_type: 'PrimitiveFloat', inputs: { value: 4.5 } },
        '6': {
          class_type: 'KSamplerAdvanced',
          inputs: {
            add_noise: 'enable', noise_seed: ['4', 0], steps: 30, cfg: ['5', 0], sampler_name: 'dpmpp_sde',
            scheduler: 'exponential', start_at_step: 0, end_at_step: 10000, return_with_leftover_noise: 'disable',
            model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['7', 0],
          },
        },
      }),
    )!
    expect(p).toMatchObject({ prompt: 'positive', negativePrompt: 'negative', seed: 1234, steps: 30, cfg: 4.5 })
    expect(p.model).toBe('base.safetensors')
  })

  it('terminates on cyclic graphs and treats non-numeric settings as absent', () => {
    const p = parseComfyPrompt(
      JSON.stringify({
        '1': { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['2', 0], conditioning_2: ['1', 0] } },
        '2': { class_type: 'ConditioningConcat', inputs: { conditioning_to: ['1', 0], conditioning_from: ['2', 0] } },
        '3': { class_type: 'KSampler', inputs: { seed: 'abc', steps: 'NaN', cfg: null, positive: ['1', 0], negative: ['2', 0] } },
      }),
    )!
    expect(p.prompt).toBe('')
    expect(p.seed).toBeUndefined()
    expect(p.steps).toBeUndefined()
    expect(p.cfg).toBeUndefined()
  })

  it('returns undefined for malformed or non-graph JSON', () => {
    expect(parseComfyPrompt('{"3": {"class_type": "KSampler", "inputs": {')).toBeUndefined()
    expect(parseComfyPrompt('[1, 2, 3]')).toBeUndefined()
    expect(parseComfyPrompt('null')).toBeUndefined()
    expect(parseComfyPrompt('{"a": 1, "b": {"inputs": {}}}')).toBeUndefined()
  })
})

// UI-format workflow: the negative encoder has the lower id, so only real
// link-following gets positive and negative the right way round.
const WORKFLOW = JSON.stringify({
  last_node_id: 11,
  nodes: [
    { id: 4, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: ['counterfeit-v3.safetensors'] },
    { id: 5, type: 'CLIPTextEncode', mode: 0, inputs: [{ name: 'clip', type: 'CLIP', link: 3 }], widgets_values: ['worst quality'] },
    { id: 6, type: 'CLIPTextEncode', mode: 0, inputs: [{ name: 'clip', type: 'CLIP', link: 5 }], widgets_values: ['1girl, 紅葉'] },
    { id: 11, type: 'Reroute', mode: 0, inputs: [{ name: '', type: '*', link: 20 }] },
    {
      id: 3,
      type: 'KSampler',
      mode: 0,
      inputs: [
        { name: 'model', type: 'MODEL', link: 1 },
        { name: 'positive', type: 'CONDITIONING', link: 21 },
        { name: 'negative', type: 'CONDITIONING', link: 4 },
        { name: 'latent_image', type: 'LATENT', link: 2 },
      ],
      widgets_values: [987654321, 'randomize', 25, 7.5, 'dpmpp_2m', 'karras', 1],
    },
  ],
  links: [
    [1, 4, 0, 3, 0, 'MODEL'],
    [20, 6, 0, 11, 0, 'CONDITIONING'],
    [21, 11, 0, 3, 1, 'CONDITIONING'],
    [4, 5, 0, 3, 2, 'CONDITIONING'],
  ],
})

describe('parseComfyWorkflow', () => {
  it('reads prompts through links and a reroute, and KSampler widget values', () => {
    const p = parseComfyWorkflow(WORKFLOW)!
    expect(p).toMatchObject({
      source: 'comfyui',
      prompt: '1girl, 紅葉',
      negativePrompt: 'worst quality',
      seed: 987654321,
      steps: 25,
      cfg: 7.5,
      sampler: 'dpmpp_2m',
      model: 'counterfeit-v3.safetensors',
    })
    expect(p.extra).toEqual({ scheduler: 'karras', denoise: '1' })
  })

  it('returns undefined for malformed JSON or a workflow without nodes', () => {
    expect(parseComfyWorkflow('{"nodes": [')).toBeUndefined()
    expect(parseComfyWorkflow('{"nodes": []}')).toBeUndefined()
  })
})

describe('parseComfyUi', () => {
  it('prefers the prompt graph and falls back to the workflow when it is malformed', () => {
    expect(parseComfyUi({ prompt: FLUX_PROMPT, workflow: WORKFLOW })?.prompt).toBe('a red fox in snow')
    expect(parseComfyUi({ prompt: '{not json', workflow: WORKFLOW })?.prompt).toBe('1girl, 紅葉')
    expect(parseComfyUi({ prompt: '{not json' })).toBeUndefined()
  })
})

describe('parseJsonLossless', () => {
  it('keeps unsafe integers as exact strings without touching strings or safe numbers', () => {
    const text = '{"s": "18446744073709551614", "n": 18446744073709551614, "neg": -98765432109876543210, "f": 1.5e300, "i": 42}'
    expect(parseJsonLossless(text)).toEqual({
      s: '18446744073709551614',
      n: '18446744073709551614',
      neg: '-98765432109876543210',
      f: 1.5e300,
      i: 42,
    })
    expect(quoteUnsafeIntegers('{"a": "x\\"9999999999999999999"}')).toBe('{"a": "x\\"9999999999999999999"}')
    expect(parseJsonLossless('{"a":')).toBeUndefined()
  })
})
