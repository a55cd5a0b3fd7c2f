import { describe, expect, it } from 'vitest'
import type { AiMetadataWarning } from './ai-metadata-read'
import { isSwarmUi, parseSwarmUi } from './swarmui'

// The shape SwarmUI 0.9.7 writes (enslo/sd-metadata samples/webp/swarmui.webp, cut down).
const DOC = {
  sui_image_params: {
    prompt: 'masterpiece, 1girl, #テスト',
    negativeprompt: 'bad quality, ',
    model: 'waiIllustriousSDXL_v160',
    seed: 830680752,
    steps: 20,
    cfgscale: 7.0,
    width: 1024,
    height: 768,
    sampler: 'euler_ancestral',
    scheduler: 'karras',
    swarm_version: '0.9.7.4',
  },
  sui_extra_data: { date: '2026-01-03' },
  sui_models: [{ name: 'waiIllustriousSDXL_v160.safetensors', param: 'model' }],
}

describe('parseSwarmUi', () => {
  it('reads every field of sui_image_params instead of storing the JSON as the prompt', () => {
    expect(isSwarmUi(DOC)).toBe(true)
    const p = parseSwarmUi(DOC, JSON.stringify(DOC))!
    expect(p).toMatchObject({
      source: 'swarmui',
      prompt: 'masterpiece, 1girl, #テスト',
      negativePrompt: 'bad quality, ',
      seed: 830680752,
      steps: 20,
      cfg: 7,
      sampler: 'euler_ancestral',
      model: 'waiIllustriousSDXL_v160',
    })
    expect(p.extra).toMatchObject({ scheduler: 'karras', size: '1024x768', version: '0.9.7.4' })
  })

  it('warns instead of inventing a prompt when sui_image_params has none', () => {
    const warnings: AiMetadataWarning[] = []
    const p = parseSwarmUi({ sui_image_params: { seed: 1, steps: 'x' } }, '{}', warnings)!
    expect(p.prompt).toBe('')
    expect(p.steps).toBeUndefined()
    expect(warnings).toEqual([expect.objectContaining({ generator: 'swarmui', field: 'prompt' })])
  })

  it('is not SwarmUI without sui_image_params', () => {
    expect(isSwarmUi({ sui_image_params: 'text' })).toBe(false)
    expect(isSwarmUi({ prompt: 'x' })).toBe(false)
  })
})
