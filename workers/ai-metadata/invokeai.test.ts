import { describe, expect, it } from 'vitest'
import type { AiMetadataWarning } from './ai-metadata-read'
import { hasInvokeAi, parseInvokeAi } from './invokeai'

describe('parseInvokeAi', () => {
  it('reads invokeai_metadata (3.x and later): the scheduler is the sampler, the model an object', () => {
    const text = JSON.stringify({
      generation_mode: 'sdxl_txt2img', positive_prompt: 'oil painting, holidays,', negative_prompt: 'grainy+',
      width: 1024, height: 768, seed: 3293022630, cfg_scale: 8.0, steps: 35, scheduler: 'euler',
      model: { model_name: 'juggernautXL', base_model: 'sdxl' },
    })
    expect(hasInvokeAi({ invokeai_metadata: text })).toBe(true)
    const p = parseInvokeAi({ invokeai_metadata: text })!
    expect(p).toMatchObject({ source: 'invokeai', prompt: 'oil painting, holidays,', negativePrompt: 'grainy+', seed: 3293022630, steps: 35, cfg: 8, sampler: 'euler', model: 'juggernautXL' })
    expect(p.extra).toEqual({ size: '1024x768' })
    const named = parseInvokeAi({ invokeai_metadata: JSON.stringify({ positive_prompt: 'x', model: { name: 'waiIllustriousSDXL_v160' } }) })
    expect(named?.model).toBe('waiIllustriousSDXL_v160')
  })

  it('reads sd-metadata (2.x): the bracketed text of the prompt is the negative prompt', () => {
    const text = JSON.stringify({
      model_weights: 'deliberateForInvoke_v08', app_id: 'invoke-ai/InvokeAI',
      image: { prompt: [{ prompt: 'photo of a woman, at night [rendering, glowing eyes]', weight: 1 }], steps: 50, cfg_scale: 5, height: 768, width: 512, seed: 2980747362, sampler: 'k_lms' },
    })
    expect(parseInvokeAi({ 'sd-metadata': text })).toMatchObject({
      prompt: 'photo of a woman, at night', negativePrompt: 'rendering, glowing eyes', steps: 50, cfg: 5, seed: 2980747362, sampler: 'k_lms', model: 'deliberateForInvoke_v08', extra: { size: '512x768' },
    })
  })

  it('reads the Dream command line of InvokeAI 1.x/2.x', () => {
    const dream = '"a red fox in snow [blurry, lowres]" -s 50 -S 2980747362 -W 512 -H 768 -C 7.5 -A k_lms -G 0.9 -cf 0.75 -U 4 0.95'
    expect(parseInvokeAi({ Dream: dream })).toMatchObject({
      source: 'invokeai', prompt: 'a red fox in snow', negativePrompt: 'blurry, lowres', steps: 50, seed: 2980747362, cfg: 7.5, sampler: 'k_lms', extra: { size: '512x768' },
    })
  })

  it('warns on a damaged document and falls back to the older form in the same file', () => {
    const warnings: AiMetadataWarning[] = []
    const p = parseInvokeAi({ invokeai_metadata: '{"positive_prompt": "cut', Dream: '"a cat" -s 20 -S 5' }, warnings)
    expect(p).toMatchObject({ prompt: 'a cat', steps: 20, seed: 5 })
    expect(warnings).toEqual([expect.objectContaining({ generator: 'invokeai', field: 'metadata' })])
    const none: AiMetadataWarning[] = []
    expect(parseInvokeAi({ Dream: 'a cat -s 20' }, none)).toBeUndefined()
    expect(none).toEqual([expect.objectContaining({ field: 'prompt' })])
    const huge: AiMetadataWarning[] = []
    expect(parseInvokeAi({ Dream: '"' + 'a\\'.repeat(400_000) }, huge)).toBeUndefined()
    const brackets = parseInvokeAi({ 'sd-metadata': JSON.stringify({ image: { prompt: 'a [b] c ' + '['.repeat(1_000_000) } }) })
    expect(brackets).toMatchObject({ negativePrompt: 'b' })
    expect(brackets?.prompt.startsWith('a  c')).toBe(true)
    expect(huge).toEqual([expect.objectContaining({ field: 'metadata' })])
  })
})
