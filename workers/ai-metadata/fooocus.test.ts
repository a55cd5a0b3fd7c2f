import { describe, expect, it } from 'vitest'
import { isFooocus, isRuinedFooocus, parseFooocus, parseRuinedFooocus } from './fooocus'
import { parseJsonLossless } from './lossless-json'

// As Fooocus v2.4.3 writes it (d3x-at/sd-parsers tests/resources/parsers/Fooocus/fooocus1_cropped.png, cut down).
const FOOOCUS = `{"base_model": "juggernautXL_v8Rundiffusion", "guidance_scale": 4, "metadata_scheme": "fooocus",
  "negative_prompt": "", "prompt": "a smiling goldfish", "resolution": "(768, 1280)", "sampler": "dpmpp_2m_sde_gpu",
  "scheduler": "karras", "seed": "6952411511246973023", "steps": 30, "version": "Fooocus v2.4.3"}`

// As RuinedFooocus writes it (enslo/sd-metadata samples/png/ruined-fooocus.png, cut down).
const RUINED = `{"Prompt": "1girl, #\\u30c6\\u30b9\\u30c8", "Negative": "bad quality", "steps": 30, "cfg": 8, "width": 1024,
  "height": 896, "seed": 2020047614, "sampler_name": "dpmpp_2m_sde_gpu", "scheduler": "karras",
  "base_model_name": "waiNSFWIllustrious_v150.safetensors", "software": "RuinedFooocus"}`

describe('Fooocus readers', () => {
  it('reads Fooocus JSON: the size from "(w, h)", a seed beyond 2^53 as its exact digits', () => {
    const doc = parseJsonLossless(FOOOCUS) as Record<string, unknown>
    expect(isFooocus(doc)).toBe(true)
    const p = parseFooocus(doc, FOOOCUS)
    expect(p).toMatchObject({ source: 'fooocus', prompt: 'a smiling goldfish', steps: 30, cfg: 4, sampler: 'dpmpp_2m_sde_gpu', model: 'juggernautXL_v8Rundiffusion' })
    expect(p.negativePrompt).toBeUndefined()
    expect(p.seed).toBeUndefined()
    expect(p.extra).toMatchObject({ seed: '6952411511246973023', size: '768x1280', scheduler: 'karras' })
  })

  it('reads RuinedFooocus JSON with its capitalised keys', () => {
    const doc = parseJsonLossless(RUINED) as Record<string, unknown>
    expect(isRuinedFooocus(doc)).toBe(true)
    expect(isFooocus(doc)).toBe(false)
    const p = parseRuinedFooocus(doc, RUINED)
    expect(p).toMatchObject({ prompt: '1girl, #テスト', negativePrompt: 'bad quality', seed: 2020047614, cfg: 8, model: 'waiNSFWIllustrious_v150.safetensors' })
    expect(p.extra).toMatchObject({ size: '1024x896', scheduler: 'karras', software: 'RuinedFooocus' })
  })
})
