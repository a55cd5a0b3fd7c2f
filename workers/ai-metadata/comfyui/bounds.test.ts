import { describe, expect, it } from 'vitest'
import type { AiMetadataWarning } from '../ai-metadata-read'
import { parseComfyPrompt, parseComfyWorkflow } from '../comfyui'
import { node, txt2img } from './test-graphs.test-helper'

// Graphs are user-built and a file can hold anything: cycles and huge graphs must cost bounded
// work and give a warning, never a hang, a crash or a wrong value.

const N = 10_000

describe('ComfyUI graphs that are cyclic or huge', () => {
  it('ends on a cycle of reroutes in the prompt and warns instead of giving a prompt', () => {
    const warnings: AiMetadataWarning[] = []
    const graph = txt2img({
      '8': node('Reroute', { '': ['9', 0] }),
      '9': node('Reroute', { '': ['8', 0] }),
    }, { positive: ['8', 0] })
    const p = parseComfyPrompt(graph, warnings)!
    expect(p.prompt).toBe('')
    expect(p.seed).toBe(7)
    expect(warnings).toContainEqual({ generator: 'comfyui', field: 'prompt', reason: expect.stringContaining('cycle') })
  })

  it('ends on samplers that feed each other their latents', () => {
    const graph = txt2img({
      '8': node('KSampler', {
        seed: 8, steps: 9, cfg: 1, sampler_name: 'euler', scheduler: 'normal', denoise: 1,
        model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['5', 0],
      }),
    }, { latent_image: ['8', 0] })
    const p = parseComfyPrompt(graph)!
    expect(p.prompt).toBe('a fox')
    expect([7, 8]).toContain(p.seed)
  })

  it('follows a chain of 10,000 reroutes to the prompt', () => {
    const extra: Record<string, unknown> = {}
    for (let i = 0; i < N; i++) extra[`r${i}`] = node('Reroute', { '': [i === 0 ? '2' : `r${i - 1}`, 0] })
    expect(parseComfyPrompt(txt2img(extra, { positive: [`r${N - 1}`, 0] }))?.prompt).toBe('a fox')
  })

  it('warns instead of reading a conditioning chain of 10,000 combiners', () => {
    const warnings: AiMetadataWarning[] = []
    const extra: Record<string, unknown> = {}
    for (let i = 0; i < N; i++) extra[`c${i}`] = node('ConditioningCombine', { conditioning_1: [i === 0 ? '2' : `c${i - 1}`, 0], conditioning_2: ['3', 0] })
    const p = parseComfyPrompt(txt2img(extra, { positive: [`c${N - 1}`, 0] }), warnings)!
    expect(p.prompt).toBe('')
    expect(warnings.some((w) => w.field === 'prompt')).toBe(true)
  })

  it('gives no values from 10,000 chained sampler passes it cannot follow to the end, and says so', () => {
    const warnings: AiMetadataWarning[] = []
    const extra: Record<string, unknown> = {}
    for (let i = 0; i < N; i++) {
      extra[`s${i}`] = node('KSampler', {
        seed: 1000 + i, steps: 5, cfg: 2, sampler_name: 'euler', scheduler: 'normal', denoise: 0.1,
        model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: [i === 0 ? '5' : `s${i - 1}`, 0],
      })
    }
    extra['6'] = node('VAEDecode', { samples: [`s${N - 1}`, 0], vae: ['1', 2] })
    const p = parseComfyPrompt(txt2img(extra), warnings)!
    // Either the walk reached the first pass (seed 7), or it stopped and kept nothing.
    if (p.seed !== undefined) expect(p.seed).toBe(7)
    else expect(warnings).toContainEqual({ generator: 'comfyui', field: 'prompt', reason: expect.stringContaining('too large') })
  })

  it('reads a 10,000-node workflow whose nodes are mostly unrelated', () => {
    const nodes: unknown[] = [
      { id: 1, type: 'CheckpointLoaderSimple', widgets_values: ['base.safetensors'] },
      { id: 2, type: 'CLIPTextEncode', widgets_values: ['a fox'] },
      { id: 3, type: 'CLIPTextEncode', widgets_values: ['blurry'] },
      { id: 4, type: 'EmptyLatentImage', widgets_values: [512, 768, 1] },
      {
        id: 5, type: 'KSampler',
        inputs: [{ name: 'model', link: 1 }, { name: 'positive', link: 2 }, { name: 'negative', link: 3 }, { name: 'latent_image', link: 4 }],
        widgets_values: [11, 'fixed', 20, 7, 'euler', 'normal', 1],
      },
      { id: 6, type: 'VAEDecode', inputs: [{ name: 'samples', link: 5 }] },
      { id: 7, type: 'SaveImage', inputs: [{ name: 'images', link: 6 }] },
    ]
    for (let i = 0; i < N; i++) nodes.push({ id: 100 + i, type: 'Note', widgets_values: [`note ${i}`] })
    const links = [[1, 1, 0, 5, 0, 'MODEL'], [2, 2, 0, 5, 1, 'CONDITIONING'], [3, 3, 0, 5, 2, 'CONDITIONING'], [4, 4, 0, 5, 3, 'LATENT'], [5, 5, 0, 6, 0, 'LATENT'], [6, 6, 0, 7, 0, 'IMAGE']]
    expect(parseComfyWorkflow(JSON.stringify({ nodes, links }))).toMatchObject({ prompt: 'a fox', negativePrompt: 'blurry', seed: 11, extra: { size: '512x768' } })
  })

  it('ends on subgraphs that contain themselves', () => {
    const id = 'aaaaaaaa-0000-4000-8000-000000000000'
    const sub = { id, nodes: [{ id: 1, type: id }], links: [], inputs: [], outputs: [] }
    const wf = JSON.stringify({ nodes: [{ id: 1, type: id }, { id: 2, type: 'CLIPTextEncode', widgets_values: ['alone'] }], links: [], definitions: { subgraphs: [sub] } })
    const warnings: AiMetadataWarning[] = []
    expect(parseComfyWorkflow(wf, warnings)?.prompt).toBe('alone')
    expect(warnings.some((w) => w.reason.includes('nested too deep'))).toBe(true)
  })
})
