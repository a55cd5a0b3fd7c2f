import { describe, expect, it } from 'vitest'
import type { AiMetadataWarning } from '../ai-metadata-read'
import { parseComfyPrompt } from '../comfyui'
import { node, txt2img } from './test-graphs.test-helper'

// Prompt text behind a sampler's conditioning inputs.

describe('ComfyUI prompt text', () => {
  it('reads inputs whose names differ only in case (DF_Text_Box writes `Text`)', () => {
    const graph = txt2img({
      '8': node('DF_Text_Box', { Text: 'a fox in snow' }),
      '2': node('CLIPTextEncode', { text: ['8', 0], clip: ['1', 1] }),
    })
    expect(parseComfyPrompt(graph)?.prompt).toBe('a fox in snow')
  })

  it('follows a switch to the input it selects', () => {
    const graph = txt2img({
      '8': node('PrimitiveString', { value: 'first prompt' }),
      '9': node('PrimitiveString', { value: 'second prompt' }),
      '14': node('PrimitiveInt', { value: 2 }),
      '10': node('CR Text Input Switch', { Input: ['14', 0], text1: ['8', 0], text2: ['9', 0] }),
      '2': node('CLIPTextEncode', { text: ['10', 0], clip: ['1', 1] }),
      '11': node('Switch any [Crystools]', { boolean: false, on_true: ['3', 0], on_false: ['13', 0] }),
      '13': node('ImpactConditionalBranch', { cond: true, tt_value: ['12', 0], ff_value: ['3', 0] }),
      '12': node('CLIPTextEncode', { text: 'lowres', clip: ['1', 1] }),
    }, { negative: ['11', 0] })
    const p = parseComfyPrompt(graph)!
    expect(p.prompt).toBe('second prompt')
    expect(p.negativePrompt).toBe('lowres')
  })

  it('leaves GLIGEN box labels out of the prompt and follows conditioning_to', () => {
    const graph = txt2img({
      '8': node('GLIGENLoader', { gligen_name: 'gligen.safetensors' }),
      '9': node('GLIGENTextBoxApply', { text: 'a red ball', width: 256, height: 256, x: 0, y: 0, conditioning_to: ['2', 0], clip: ['1', 1], gligen_textbox_model: ['8', 0] }),
      '10': node('GLIGENTextBoxApply', { text: 'a tree', width: 256, height: 256, x: 256, y: 0, conditioning_to: ['9', 0], clip: ['1', 1], gligen_textbox_model: ['8', 0] }),
    }, { positive: ['10', 0] })
    expect(parseComfyPrompt(graph)?.prompt).toBe('a fox')
  })

  it('joins every text that combiners and area conditionings bring to the sampler', () => {
    const graph = txt2img({
      '8': node('CLIPTextEncode', { text: 'night sky', clip: ['1', 1] }),
      '9': node('ConditioningSetArea', { width: 512, height: 256, x: 0, y: 0, strength: 1, conditioning: ['8', 0] }),
      '10': node('ConditioningCombine', { conditioning_1: ['9', 0], conditioning_2: ['2', 0] }),
      '11': node('ConditioningZeroOut', { conditioning: ['3', 0] }),
    }, { positive: ['10', 0], negative: ['11', 0] })
    const p = parseComfyPrompt(graph)!
    expect(p.prompt).toBe('night sky\na fox')
    expect(p.negativePrompt).toBe('')
  })

  it('takes a wildcard node\'s result, not its template, and joins concatenated strings with their delimiter', () => {
    const graph = txt2img({
      '8': node('ImpactWildcardProcessor', { wildcard_text: '{red|blue} fox', populated_text: 'blue fox', mode: 'fixed' }),
      '9': node('StringConcatenate', { string_a: ['8', 0], string_b: 'snow', delimiter: ', ' }),
      '2': node('CLIPTextEncode', { text: ['9', 0], clip: ['1', 1] }),
    })
    expect(parseComfyPrompt(graph)?.prompt).toBe('blue fox, snow')
  })

  it('gives no prompt and a warning naming the node when the text comes from a node it cannot read', () => {
    const warnings: AiMetadataWarning[] = []
    const graph = txt2img({
      '8': node('SomeLLMPromptNode', { seed: 4, temperature: 0.7 }),
      '2': node('CLIPTextEncode', { text: ['8', 0], clip: ['1', 1] }),
    })
    const p = parseComfyPrompt(graph, warnings)!
    expect(p.prompt).toBe('')
    expect(p.negativePrompt).toBe('blurry')
    expect(warnings).toEqual([{ generator: 'comfyui', field: 'prompt', reason: expect.stringContaining('8 (SomeLLMPromptNode)') }])
  })

  it('warns when a switch selects an input that is not connected', () => {
    const warnings: AiMetadataWarning[] = []
    const graph = txt2img({
      '10': node('ImpactSwitch', { select: 3, input1: ['2', 0], input2: ['3', 0] }),
    }, { positive: ['10', 0] })
    expect(parseComfyPrompt(graph, warnings)?.prompt).toBe('')
    expect(warnings[0]).toMatchObject({ field: 'prompt', reason: expect.stringContaining('10 (ImpactSwitch)') })
  })

  it('warns instead of guessing when a switch shows no selector (rgthree\'s Any Switch excepted)', () => {
    const warnings: AiMetadataWarning[] = []
    expect(parseComfyPrompt(txt2img({ '10': node('Text Switch', { text1: ['2', 0], text2: ['3', 0] }) }, { positive: ['10', 0] }), warnings)?.prompt).toBe('')
    expect(warnings[0]).toMatchObject({ field: 'prompt', reason: expect.stringContaining('10 (Text Switch)') })
    expect(parseComfyPrompt(txt2img({ '10': node('Any Switch (rgthree)', { any_02: ['2', 0] }) }, { positive: ['10', 0] }))?.prompt).toBe('a fox')
  })
})
