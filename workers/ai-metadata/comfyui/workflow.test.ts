import { describe, expect, it } from 'vitest'
import type { AiMetadataWarning } from '../ai-metadata-read'
import { parseComfyUi, parseComfyWorkflow } from '../comfyui'

// The editor's workflow, read when a file has no (or a cut) API "prompt".

type UiInput = { name: string; type: string; link: number | null; widget?: { name: string } }
type UiOutput = { name: string; type: string; links: number[] }
interface UiNode {
  id: number | string
  type: string
  mode?: number
  inputs?: UiInput[]
  outputs?: UiOutput[]
  widgets_values?: unknown[]
}

const input = (name: string, type: string, link: number | null): UiInput => ({ name, type, link })
const output = (type: string, links: number[] = []): UiOutput => ({ name: type, type, links })

/** A txt2img workflow; links are [id, origin, originSlot, target, targetSlot, type]. */
function workflow(nodes: UiNode[], links: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ last_node_id: 99, nodes, links, version: 0.4, ...extra })
}

const loader: UiNode = { id: 1, type: 'CheckpointLoaderSimple', widgets_values: ['base.safetensors'], outputs: [output('MODEL'), output('CLIP'), output('VAE')] }
const latent: UiNode = { id: 4, type: 'EmptyLatentImage', widgets_values: [768, 1344, 1], outputs: [output('LATENT')] }
const sampler = (positive: number, negative: number, widgets: unknown[] = [42, 'fixed', 25, 6.5, 'euler', 'karras', 1]): UiNode => ({
  id: 5,
  type: 'KSampler',
  inputs: [input('model', 'MODEL', 1), input('positive', 'CONDITIONING', positive), input('negative', 'CONDITIONING', negative), input('latent_image', 'LATENT', 4)],
  outputs: [output('LATENT', [6])],
  widgets_values: widgets,
})
const decodeAndSave: UiNode[] = [
  { id: 6, type: 'VAEDecode', inputs: [input('samples', 'LATENT', 6), input('vae', 'VAE', 7)], outputs: [output('IMAGE', [8])] },
  { id: 7, type: 'SaveImage', inputs: [input('images', 'IMAGE', 8)], widgets_values: ['ComfyUI'] },
]
const baseLinks = [
  [1, 1, 0, 5, 0, 'MODEL'],
  [4, 4, 0, 5, 3, 'LATENT'],
  [6, 5, 0, 6, 0, 'LATENT'],
  [7, 1, 2, 6, 1, 'VAE'],
  [8, 6, 0, 7, 0, 'IMAGE'],
]
const encoder = (id: number, text: string, linkOut: number): UiNode => ({
  id, type: 'CLIPTextEncode', inputs: [input('clip', 'CLIP', null)], outputs: [output('CONDITIONING', [linkOut])], widgets_values: [text],
})

describe('parseComfyWorkflow', () => {
  it('removes /* */ and // comments from prompt widgets, as ComfyUI does before queueing', () => {
    const wf = workflow(
      [loader, latent, encoder(2, 'a fox, /* old idea: a cat */ snow // todo\nforest', 2), encoder(3, 'blurry', 3), sampler(2, 3), ...decodeAndSave],
      [...baseLinks, [2, 2, 0, 5, 1, 'CONDITIONING'], [3, 3, 0, 5, 2, 'CONDITIONING']],
    )
    const p = parseComfyWorkflow(wf)!
    expect(p.prompt).toBe('a fox,  snow \nforest')
    expect(p).toMatchObject({ negativePrompt: 'blurry', seed: 42, steps: 25, cfg: 6.5, sampler: 'euler', model: 'base.safetensors' })
    expect(p.extra).toMatchObject({ scheduler: 'karras', size: '768x1344' })
  })

  it('warns and stores no prompt when it holds {a|b} choices that ComfyUI picks at random when queueing', () => {
    const warnings: AiMetadataWarning[] = []
    const wf = workflow(
      [loader, latent, encoder(2, 'a {red|blue} fox', 2), encoder(3, 'blurry', 3), sampler(2, 3), ...decodeAndSave],
      [...baseLinks, [2, 2, 0, 5, 1, 'CONDITIONING'], [3, 3, 0, 5, 2, 'CONDITIONING']],
    )
    expect(parseComfyWorkflow(wf, warnings)?.prompt).toBe('')
    expect(warnings).toEqual([{ generator: 'comfyui', field: 'prompt', reason: expect.stringContaining('{…|…}') }])
  })

  it('unwraps {…} groups of one option, as ComfyUI does when queueing', () => {
    const wf = workflow(
      [loader, latent, encoder(2, '{{masterpiece}}, a {fox}', 2), encoder(3, 'blurry', 3), sampler(2, 3), ...decodeAndSave],
      [...baseLinks, [2, 2, 0, 5, 1, 'CONDITIONING'], [3, 3, 0, 5, 2, 'CONDITIONING']],
    )
    expect(parseComfyWorkflow(wf)?.prompt).toBe('masterpiece, a fox')
  })

  it('does not guess which of an unknown node\'s several strings is its text, and warns', () => {
    const warnings: AiMetadataWarning[] = []
    const efficient: UiNode = { id: 2, type: 'Efficient Loader', outputs: [output('MODEL'), output('CONDITIONING', [2])], widgets_values: ['base.safetensors', 'Baked VAE', 'a fox', 'blurry'] }
    const wf = workflow(
      [loader, latent, efficient, encoder(3, 'blurry', 3), sampler(2, 3), ...decodeAndSave],
      [...baseLinks, [2, 2, 1, 5, 1, 'CONDITIONING'], [3, 3, 0, 5, 2, 'CONDITIONING']],
    )
    expect(parseComfyWorkflow(wf, warnings)?.prompt).toBe('')
    expect(warnings[0]).toMatchObject({ field: 'prompt', reason: expect.stringContaining('2 (Efficient Loader)') })
  })

  it('reads an early frontend\'s seed control (a boolean) and a seed from a PrimitiveNode on a converted widget', () => {
    const primitive: UiNode = { id: 9, type: 'PrimitiveNode', outputs: [{ name: 'INT', type: 'INT', links: [9] }], widgets_values: [777, 'fixed'] }
    const s = sampler(2, 3, [777, true, 30, 8, 'dpmpp_2m', 'normal', 1])
    s.inputs!.push({ name: 'seed', type: 'INT', link: 9, widget: { name: 'seed' } })
    const wf = workflow(
      [loader, latent, encoder(2, 'a fox', 2), encoder(3, 'blurry', 3), s, primitive, ...decodeAndSave],
      [...baseLinks, [2, 2, 0, 5, 1, 'CONDITIONING'], [3, 3, 0, 5, 2, 'CONDITIONING'], [9, 9, 0, 5, 4, 'INT']],
    )
    expect(parseComfyWorkflow(wf)).toMatchObject({ seed: 777, steps: 30, cfg: 8, sampler: 'dpmpp_2m' })
  })

  it('passes through bypassed nodes by type and leaves muted nodes out', () => {
    // 10 is a bypassed ControlNet applier; 11 a muted encoder nobody reads.
    const bypassed: UiNode = {
      id: 10, type: 'ControlNetApply', mode: 4,
      inputs: [input('conditioning', 'CONDITIONING', 2), input('control_net', 'CONTROL_NET', null), input('image', 'IMAGE', null)],
      outputs: [output('CONDITIONING', [10])], widgets_values: [1],
    }
    const wf = workflow(
      [loader, latent, encoder(2, 'a fox', 2), encoder(3, 'blurry', 3), { ...encoder(11, 'unused', 99), mode: 2 }, bypassed, sampler(10, 3), ...decodeAndSave],
      [...baseLinks, [2, 2, 0, 10, 0, 'CONDITIONING'], [10, 10, 0, 5, 1, 'CONDITIONING'], [3, 3, 0, 5, 2, 'CONDITIONING']],
    )
    expect(parseComfyWorkflow(wf)?.prompt).toBe('a fox')
  })

  it('expands a subgraph (frontend 1.24+): its inputs, inner links and outputs', () => {
    const subgraphId = '6f0c7d2e-1111-4a4a-9b9b-000000000001'
    const subgraph = {
      id: subgraphId,
      name: 'Prompts',
      inputs: [{ id: 'in-clip', name: 'clip', type: 'CLIP', linkIds: [101] }],
      outputs: [{ id: 'out-pos', name: 'positive', type: 'CONDITIONING', linkIds: [103] }, { id: 'out-neg', name: 'negative', type: 'CONDITIONING', linkIds: [104] }],
      nodes: [
        { id: 1, type: 'CLIPTextEncode', inputs: [input('clip', 'CLIP', 101)], outputs: [output('CONDITIONING', [103])], widgets_values: ['a fox in a subgraph'] },
        { id: 2, type: 'CLIPTextEncode', inputs: [input('clip', 'CLIP', 102)], outputs: [output('CONDITIONING', [104])], widgets_values: ['lowres'] },
      ],
      links: [
        { id: 101, origin_id: -10, origin_slot: 0, target_id: 1, target_slot: 0, type: 'CLIP' },
        { id: 102, origin_id: -10, origin_slot: 0, target_id: 2, target_slot: 0, type: 'CLIP' },
        { id: 103, origin_id: 1, origin_slot: 0, target_id: -20, target_slot: 0, type: 'CONDITIONING' },
        { id: 104, origin_id: 2, origin_slot: 0, target_id: -20, target_slot: 1, type: 'CONDITIONING' },
      ],
    }
    const instance: UiNode = { id: 20, type: subgraphId, inputs: [input('clip', 'CLIP', 20)], outputs: [output('CONDITIONING', [21]), output('CONDITIONING', [22])] }
    const wf = workflow(
      [loader, latent, instance, sampler(21, 22), ...decodeAndSave],
      [...baseLinks, [20, 1, 1, 20, 0, 'CLIP'], [21, 20, 0, 5, 1, 'CONDITIONING'], [22, 20, 1, 5, 2, 'CONDITIONING']],
      { definitions: { subgraphs: [subgraph] } },
    )
    const p = parseComfyWorkflow(wf)!
    expect(p.prompt).toBe('a fox in a subgraph')
    expect(p.negativePrompt).toBe('lowres')
  })

  it('expands a legacy group node (extra.groupNodes) by its definition', () => {
    const group = {
      nodes: [
        { index: 0, type: 'CheckpointLoaderSimple', widgets_values: ['grouped.safetensors'], outputs: [output('MODEL'), output('CLIP'), output('VAE')] },
        { index: 1, type: 'CLIPTextEncode', inputs: [input('clip', 'CLIP', null), { name: 'text', type: 'STRING', link: null, widget: { name: 'text' } }], outputs: [output('CONDITIONING')], widgets_values: ['a grouped fox'] },
        { index: 2, type: 'CLIPTextEncode', inputs: [input('clip', 'CLIP', null)], outputs: [output('CONDITIONING')], widgets_values: ['grouped negative'] },
      ],
      links: [[0, 1, 1, 0, 10, 'CLIP'], [0, 1, 2, 0, 10, 'CLIP']],
      external: [],
    }
    // Outputs: MODEL, VAE (CLIP is linked inside), then the two CONDITIONINGs.
    const instance: UiNode = { id: 10, type: 'workflow>Base', outputs: [output('MODEL', [1]), output('VAE', [7]), output('CONDITIONING', [2]), output('CONDITIONING', [3])], widgets_values: ['grouped.safetensors', 'a grouped fox', 'grouped negative'] }
    const wf = workflow(
      [latent, instance, sampler(2, 3), ...decodeAndSave],
      [[1, 10, 0, 5, 0, 'MODEL'], [4, 4, 0, 5, 3, 'LATENT'], [6, 5, 0, 6, 0, 'LATENT'], [7, 10, 1, 6, 1, 'VAE'], [8, 6, 0, 7, 0, 'IMAGE'], [2, 10, 2, 5, 1, 'CONDITIONING'], [3, 10, 3, 5, 2, 'CONDITIONING']],
      { extra: { groupNodes: { Base: group } } },
    )
    expect(parseComfyWorkflow(wf)).toMatchObject({ prompt: 'a grouped fox', negativePrompt: 'grouped negative', model: 'grouped.safetensors' })
  })

  it('is used when the prompt graph is cut, with a warning saying so', () => {
    const warnings: AiMetadataWarning[] = []
    const wf = workflow(
      [loader, latent, encoder(2, 'a fox', 2), encoder(3, 'blurry', 3), sampler(2, 3), ...decodeAndSave],
      [...baseLinks, [2, 2, 0, 5, 1, 'CONDITIONING'], [3, 3, 0, 5, 2, 'CONDITIONING']],
    )
    expect(parseComfyUi({ prompt: '{"5": {"class_type": "KSampler", "inp', workflow: wf }, warnings)?.prompt).toBe('a fox')
    expect(warnings).toEqual([{ generator: 'comfyui', field: 'metadata', reason: expect.stringContaining('not valid JSON') }])
  })
})
