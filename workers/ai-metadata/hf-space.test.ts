import { describe, expect, it } from 'vitest'
import { isHfSpace, parseHfSpace } from './hf-space'
import { parseJsonLossless } from './lossless-json'

// As a Hugging Face SDXL Space exports it (enslo/sd-metadata samples/png/huggingface-space-upscale.png).
const TEXT = `{"prompt": "1girl, \\u30c6\\u30b9\\u30c8", "negative_prompt": "bad quality, \\n", "resolution": "1024 x 1024",
  "guidance_scale": 5.5, "num_inference_steps": 20, "seed": 1971450810, "sampler": "DPM++ 2M Karras",
  "Model": "WAI NSFW illustrious SDXL v16", "Model hash": "BDB59BAC77D9",
  "use_upscaler": {"upscale_method": "nearest-exact", "new_resolution": "1536 x 1536"}}`

describe('parseHfSpace', () => {
  it('reads the export, the size being the generation resolution, not the upscaled one', () => {
    const doc = parseJsonLossless(TEXT) as Record<string, unknown>
    expect(isHfSpace(doc)).toBe(true)
    const p = parseHfSpace(doc, TEXT)
    expect(p).toMatchObject({ source: 'hf-space', prompt: '1girl, テスト', negativePrompt: 'bad quality, \n', seed: 1971450810, steps: 20, cfg: 5.5, sampler: 'DPM++ 2M Karras', model: 'WAI NSFW illustrious SDXL v16' })
    expect(p.extra).toEqual({ size: '1024x1024', modelHash: 'BDB59BAC77D9' })
  })

  it('does not take any object with a prompt for an export', () => {
    expect(isHfSpace({ prompt: 'a' })).toBe(false)
    expect(isHfSpace({ prompt: 3, num_inference_steps: 3 })).toBe(false)
  })
})
