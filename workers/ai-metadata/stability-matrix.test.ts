import { describe, expect, it } from 'vitest'
import type { AiMetadataWarning } from './ai-metadata-read'
import { hasStabilityMatrix, parseStabilityMatrix } from './stability-matrix'

// As Stability Matrix writes them (enslo/sd-metadata samples/png/stability-matrix-hires.png, cut down).
const PARAMETERS_JSON = JSON.stringify({
  PositivePrompt: '1girl, #テスト\r\n', NegativePrompt: 'bad quality, \r\n', Steps: 20, Sampler: 'Euler Ancestral Karras',
  CfgScale: 5, Seed: 2073041550, Height: 1536, Width: 1536, ModelName: 'waiIllustriousSDXL_v160.safetensors', ModelHash: 'A5F58EB1',
})
const SMPROJ = JSON.stringify({
  Version: 2,
  State: {
    Modules: { $values: [{ $values: [{ SelectedSampler: { Name: 'euler_ancestral' }, SelectedScheduler: { Name: 'normal' }, $type: 'Sampler' }], $type: 'HiresFixModule' }] },
    Sampler: { Steps: 20, CfgScale: 5, Width: 1024, Height: 1024, SelectedSampler: { Name: 'euler_ancestral' }, SelectedScheduler: { Name: 'karras' } },
  },
})

describe('parseStabilityMatrix', () => {
  it("takes the primary sampler's ComfyUI names and the generation size from the project", () => {
    const texts = { 'parameters-json': PARAMETERS_JSON, smproj: SMPROJ }
    expect(hasStabilityMatrix(texts)).toBe(true)
    const p = parseStabilityMatrix(texts)!
    expect(p).toMatchObject({ source: 'stability-matrix', prompt: '1girl, #テスト\r\n', seed: 2073041550, steps: 20, cfg: 5, sampler: 'euler_ancestral', model: 'waiIllustriousSDXL_v160.safetensors' })
    expect(p.extra).toMatchObject({ scheduler: 'karras', size: '1024x1024', modelHash: 'A5F58EB1' })
  })

  it('falls back to parameters-json alone, and warns when that is damaged', () => {
    const p = parseStabilityMatrix({ 'parameters-json': PARAMETERS_JSON })!
    expect(p.sampler).toBe('Euler Ancestral Karras')
    expect(p.extra?.size).toBe('1536x1536')
    expect(p.extra?.scheduler).toBeUndefined()
    const warnings: AiMetadataWarning[] = []
    expect(parseStabilityMatrix({ 'parameters-json': PARAMETERS_JSON.slice(0, 40) }, warnings)).toBeUndefined()
    expect(warnings).toEqual([expect.objectContaining({ generator: 'stability-matrix', field: 'metadata' })])
  })
})
