import { describe, expect, it } from 'vitest'
import type { AiMetadataWarning } from './ai-metadata-read'
import { hasA1111Settings, parseA1111Parameters, parseSettingsLine } from './a1111'

const FULL = [
  'masterpiece, best quality, 1girl, (silver hair:1.2),',
  'school uniform, cherry blossoms <lora:animeStyle_v2:0.8>',
  'Negative prompt: lowres, bad anatomy,',
  'extra fingers',
  'Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 3141592653, Size: 832x1216, ' +
    'Model hash: 7f96a1a9ca, Model: animagineXL_v31, Denoising strength: 0.4, ' +
    'Lora hashes: "animeStyle_v2: 1a2b3c4d5e6f, other: 0f0f", Version: v1.10.1',
].join('\n')

describe('parseA1111Parameters', () => {
  it('splits multi-line prompt, multi-line negative prompt and settings', () => {
    const p = parseA1111Parameters(FULL)!
    expect(p.source).toBe('a1111')
    expect(p.prompt).toBe(
      'masterpiece, best quality, 1girl, (silver hair:1.2),\nschool uniform, cherry blossoms <lora:animeStyle_v2:0.8>',
    )
    expect(p.negativePrompt).toBe('lowres, bad anatomy,\nextra fingers')
    expect(p).toMatchObject({ steps: 28, sampler: 'DPM++ 2M', cfg: 6.5, seed: 3141592653, model: 'animagineXL_v31' })
    expect(p.extra).toEqual({
      scheduler: 'Karras',
      size: '832x1216',
      modelHash: '7f96a1a9ca',
      'Denoising strength': '0.4',
      'Lora hashes': 'animeStyle_v2: 1a2b3c4d5e6f, other: 0f0f',
      Version: 'v1.10.1',
    })
    expect(p.raw).toBe(FULL)
  })

  it('handles text without a negative prompt', () => {
    const p = parseA1111Parameters('a cat on a roof\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1')!
    expect(p.prompt).toBe('a cat on a roof')
    expect(p.negativePrompt).toBeUndefined()
    expect(p.steps).toBe(20)
  })

  it('handles text without a settings line, keeping a weighted-tag last line as prompt', () => {
    const p = parseA1111Parameters('(cat:1.2), dog:1.1, bird: 0.9\nNegative prompt: ugly')!
    expect(p.prompt).toBe('(cat:1.2), dog:1.1, bird: 0.9')
    expect(p.negativePrompt).toBe('ugly')
    expect(p.steps).toBeUndefined()
    expect(p.extra).toBeUndefined()
    const tags = parseA1111Parameters('first line\ncat:1.2, dog:1.1, bird:0.9')!
    expect(tags.prompt).toBe('first line\ncat:1.2, dog:1.1, bird:0.9')
  })

  it('handles an empty prompt and CRLF line endings', () => {
    const p = parseA1111Parameters('Negative prompt: worst quality\r\nSteps: 10, Seed: 5, Size: 512x512\r\n')!
    expect(p.prompt).toBe('')
    expect(p.negativePrompt).toBe('worst quality')
    expect(p.seed).toBe(5)
    expect(p.extra).toEqual({ size: '512x512' })
  })

  it('keeps Japanese text intact', () => {
    const p = parseA1111Parameters('桜、着物の少女\nNegative prompt: 低品質\nSteps: 20, Sampler: Euler, Seed: 1')!
    expect([p.prompt, p.negativePrompt]).toEqual(['桜、着物の少女', '低品質'])
  })

  it('leaves unparseable numbers out and keeps unsafe seeds as text', () => {
    const p = parseA1111Parameters('x\nSteps: many, Sampler: Euler, CFG scale: 7abc, Seed: 18446744073709551614')!
    expect(p.steps).toBeUndefined()
    expect(p.cfg).toBeUndefined()
    expect(p.seed).toBeUndefined()
    expect(p.extra?.seed).toBe('18446744073709551614')
    expect(Object.values(p).some((v) => typeof v === 'number' && Number.isNaN(v))).toBe(false)
  })

  it('returns undefined for blank text and caps raw at 64 KiB', () => {
    expect(parseA1111Parameters('  \n ')).toBeUndefined()
    const huge = '漢'.repeat(30000) + '\nSteps: 20, Seed: 1'
    const p = parseA1111Parameters(huge)!
    expect(Buffer.byteLength(p.raw, 'utf8')).toBeLessThanOrEqual(65536)
    expect(p.raw.endsWith('漢')).toBe(true)
    expect(p.steps).toBe(20)
  })
})

describe('parseSettingsLine', () => {
  it('keeps quoted values with commas whole and unescapes them', () => {
    expect(parseSettingsLine('Steps: 5, TI hashes: "a: 1, \\"b\\": 2", Seed: 3')).toEqual([
      ['Steps', '5'],
      ['TI hashes', 'a: 1, "b": 2'],
      ['Seed', '3'],
    ])
  })

  it('rejects lines without a settings key', () => {
    expect(parseSettingsLine('masterpiece, best quality')).toBeUndefined()
    expect(parseSettingsLine('style: anime, mood: happy, light: soft')).toBeUndefined()
  })

  it('reads "CFG Scale" with a capital S as Comfy Image Saver writes it', () => {
    const text = 'unknown\nNegative prompt: unknown\nSteps: 20, Sampler: euler_simple, CFG Scale: 8.0, Seed: 0, Size: 512x512, Model: JANKUV5NSFWTrainedNoobai_v50, Version: ComfyUI'
    expect(hasA1111Settings(text)).toBe(true)
    const warnings: AiMetadataWarning[] = []
    const p = parseA1111Parameters(text, warnings)!
    expect(p).toMatchObject({ cfg: 8, steps: 20, seed: 0, sampler: 'euler_simple', extra: { size: '512x512' } })
    // Its "unknown" is a placeholder for an unwired input, not a prompt anybody wrote.
    expect(warnings.map((w) => w.field)).toEqual(['prompt', 'negativePrompt'])
    expect(parseSettingsLine('Steps: 4, Hires CFG Scale: 1, CFG scale: 2')).toContainEqual(['Hires CFG Scale', '1'])
    expect(parseA1111Parameters('a\nSteps: 4, Hires CFG Scale: 1, CFG scale: 2')?.cfg).toBe(2)
  })

  it('knows A1111 text by its settings line only', () => {
    expect(hasA1111Settings('a cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1')).toBe(true)
    expect(hasA1111Settings('a cat, (dog:1.2)')).toBe(false)
    expect(hasA1111Settings('{"prompt": "a cat", "steps": 20}')).toBe(false)
  })

  it('reads a 16 MB line without a colon as prompt text, walking it once', () => {
    const huge = 'masterpiece '.repeat(1_400_000)
    expect(hasA1111Settings(huge)).toBe(false)
    expect(parseA1111Parameters(huge)?.prompt.length).toBeGreaterThan(16_000_000)
    expect(parseSettingsLine('Steps: 1, ' + 'a'.repeat(1_000_000))).toEqual([['Steps', '1']])
  })

  it('skips what is not a pair up to the next comma, as the A1111 grammar does', () => {
    expect(parseSettingsLine('Steps: 20, junk (x), Seed: 5, Lora hashes: "a: 1, b: 2", Model: m')).toEqual([
      ['Steps', '20'],
      ['Seed', '5'],
      ['Lora hashes', 'a: 1, b: 2'],
      ['Model', 'm'],
    ])
  })
})
