import { describe, expect, it } from 'vitest'
import { describeAiWarnings } from './ai-metadata-warnings'

describe('describeAiWarnings', () => {
  it('names the generator and the field of each warning, once each, in one line', () => {
    expect(describeAiWarnings([])).toBeUndefined()
    expect(describeAiWarnings([
      { generator: 'comfyui', field: 'prompt', reason: 'node 12 (Switch)\ncannot be followed' },
      { generator: 'comfyui', field: 'size', reason: 'no latent node' },
      { generator: 'comfyui', field: 'prompt', reason: 'node 12 (Switch) cannot be followed' },
    ])).toBe('comfyui prompt: node 12 (Switch) cannot be followed; comfyui size: no latent node')
  })

  it('caps what a hostile file can put in the errors table', () => {
    const many = Array.from({ length: 10_000 }, (_, n) => ({ generator: 'comfyui' as const, field: 'prompt' as const, reason: `node ${n} ${'x'.repeat(10_000)}` }))
    const reason = describeAiWarnings(many)!
    expect(reason.endsWith('; and 9992 more')).toBe(true)
    expect(reason.length).toBeLessThan(8 * 330 + 20)
  })
})
