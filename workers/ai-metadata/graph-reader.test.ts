import { describe, expect, it } from 'vitest'
import { graphResolves, readComfyGraph } from './graph-reader'

const graph = (text: string): string =>
  JSON.stringify({
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'm.safetensors' } },
    '2': { class_type: 'CLIPTextEncode', inputs: { text, clip: ['1', 1] } },
    '3': { class_type: 'KSampler', inputs: { seed: 1, steps: 20, cfg: 5, sampler_name: 'euler', scheduler: 'normal', model: ['1', 0], positive: ['2', 0], negative: ['2', 0] } },
  })

describe('readComfyGraph', () => {
  it('resolves a graph with a prompt, and says so when the prompt is empty', () => {
    const good = readComfyGraph({ prompt: graph('a cat') })
    expect(graphResolves(good)).toBe(true)
    const empty = readComfyGraph({ prompt: graph('') })
    expect(graphResolves(empty)).toBe(false)
    expect(empty.warnings).toContainEqual(expect.objectContaining({ generator: 'comfyui', field: 'prompt' }))
  })

  it('gives nothing for no graph and for text that is none', () => {
    expect(readComfyGraph({})).toEqual({ warnings: [] })
    expect(graphResolves(readComfyGraph({ prompt: 'not json' }))).toBe(false)
  })

  it('warns when a prompt or workflow text is there but gives no graph (a cut chunk), naming which', () => {
    const cut = readComfyGraph({ prompt: '{"3": {"class_type": "KSampler", "inputs": ' })
    expect(cut.parameters).toBeUndefined()
    expect(cut.warnings).toEqual([expect.objectContaining({ generator: 'comfyui', field: 'metadata', reason: expect.stringContaining('the prompt text is there') })])
    expect(readComfyGraph({ workflow: '{"nodes": [' }).warnings).toEqual([expect.objectContaining({ reason: expect.stringContaining('the workflow text is there') })])
  })
})
