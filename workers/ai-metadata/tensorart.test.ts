import { describe, expect, it } from 'vitest'
import type { AiMetadataWarning } from './ai-metadata-read'
import { isTensorArt, parseTensorArt } from './tensorart'

// As TensorArt writes generation_data (enslo/sd-metadata samples/png/tensorart.png, cut down): NUL-terminated.
const DATA = JSON.stringify({
  prompt: '1girl, #テスト', negativePrompt: 'bad quality, ', width: 1024, height: 1024, steps: 25, cfgScale: 7, seed: '-1',
  baseModel: { modelFileName: 'WAI-Nsfw-Illustrious-16', hash: 'A5F58EB1' }, ksamplerName: 'euler_ancestral', schedule: 'karras',
}) + '\0'

describe('parseTensorArt', () => {
  it('reads generation_data and takes the seed the graph used when it says -1', () => {
    expect(isTensorArt(JSON.parse(DATA.slice(0, -1)) as Record<string, unknown>)).toBe(true)
    const graph = { source: 'comfyui' as const, prompt: '1girl', seed: 3036459311, raw: '' }
    const p = parseTensorArt(DATA, graph)!
    expect(p).toMatchObject({ source: 'tensorart', prompt: '1girl, #テスト', negativePrompt: 'bad quality, ', seed: 3036459311, steps: 25, cfg: 7, sampler: 'euler_ancestral', model: 'WAI-Nsfw-Illustrious-16' })
    expect(p.extra).toMatchObject({ scheduler: 'karras', size: '1024x1024' })
  })

  it('warns when the seed is random and no graph names it, and on damaged JSON', () => {
    const warnings: AiMetadataWarning[] = []
    expect(parseTensorArt(DATA, undefined, warnings)?.seed).toBeUndefined()
    expect(warnings).toEqual([expect.objectContaining({ generator: 'tensorart', field: 'seed' })])
    const damaged: AiMetadataWarning[] = []
    expect(parseTensorArt(DATA.slice(0, 30), undefined, damaged)).toBeUndefined()
    expect(damaged).toEqual([expect.objectContaining({ field: 'metadata' })])
  })
})
