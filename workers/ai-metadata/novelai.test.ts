import { describe, expect, it } from 'vitest'
import type { AiMetadataWarning } from './ai-metadata-read'
import { isNovelAi, isNovelAiJson, novelAiTexts, parseNovelAi } from './novelai'

const V3_COMMENT = JSON.stringify({
  prompt: '1girl, maid, {{smile}}, [[blush]]',
  steps: 28,
  height: 1216,
  width: 832,
  scale: 5.5,
  uncond_scale: 0,
  cfg_rescale: 0.1,
  seed: 3712459870,
  n_samples: 1,
  noise_schedule: 'karras',
  sampler: 'k_euler_ancestral',
  sm: false,
  uc: 'lowres, {bad}, error',
  request_type: 'PromptGenerateRequest',
})

const V4_COMMENT = JSON.stringify({
  steps: 23,
  height: 1024,
  width: 1024,
  scale: 6,
  seed: 12345,
  sampler: 'k_euler_ancestral',
  noise_schedule: 'karras',
  v4_prompt: {
    caption: {
      base_caption: '2girls, 教室, sunset',
      char_captions: [
        { char_caption: 'girl, red hair', centers: [{ x: 0.3, y: 0.5 }] },
        { char_caption: 'girl, black hair', centers: [{ x: 0.7, y: 0.5 }] },
      ],
    },
    use_coords: true,
  },
  v4_negative_prompt: { caption: { base_caption: 'blurry, lowres', char_captions: [] } },
})

describe('isNovelAi', () => {
  it('recognises NovelAI by Software or Source', () => {
    expect(isNovelAi({ Software: 'NovelAI' })).toBe(true)
    expect(isNovelAi({ Source: 'NovelAI Diffusion V4.5 4BDE2A90' })).toBe(true)
    expect(isNovelAi({ Software: 'Adobe Photoshop' })).toBe(false)
  })
})

describe('parseNovelAi', () => {
  it('reads a V3 Comment: prompt, uc, steps, scale, seed, sampler and Source as model', () => {
    const p = parseNovelAi({
      Software: 'NovelAI',
      Source: 'Stable Diffusion XL C1E1DE52',
      Description: '1girl, maid, {{smile}}, [[blush]]',
      Comment: V3_COMMENT,
    })!
    expect(p).toEqual({
      source: 'novelai',
      prompt: '1girl, maid, {{smile}}, [[blush]]',
      negativePrompt: 'lowres, {bad}, error',
      seed: 3712459870,
      steps: 28,
      cfg: 5.5,
      sampler: 'k_euler_ancestral',
      model: 'Stable Diffusion XL C1E1DE52',
      extra: { size: '832x1216', scheduler: 'karras', cfgRescale: '0.1' },
      raw: V3_COMMENT,
    })
  })

  it('reads V4 base captions and keeps character prompts', () => {
    const p = parseNovelAi({ Software: 'NovelAI', Source: 'NovelAI Diffusion V4.5 4BDE2A90', Comment: V4_COMMENT })!
    expect(p.prompt).toBe('2girls, 教室, sunset')
    expect(p.negativePrompt).toBe('blurry, lowres')
    expect(p.model).toBe('NovelAI Diffusion V4.5 4BDE2A90')
    expect(p.extra?.characterPrompts).toBe('girl, red hair\ngirl, black hair')
    expect(p).toMatchObject({ steps: 23, cfg: 6, seed: 12345 })
  })

  it('falls back to Description when Comment is malformed', () => {
    const p = parseNovelAi({ Software: 'NovelAI', Description: 'a cat', Comment: '{"prompt": "a cat", "steps":' })!
    expect(p.prompt).toBe('a cat')
    expect(p.steps).toBeUndefined()
    expect(p.raw).toBe('{"prompt": "a cat", "steps":')
  })

  it('returns undefined when there is neither a Comment nor a Description', () => {
    expect(parseNovelAi({ Software: 'NovelAI' })).toBeUndefined()
    expect(parseNovelAi({ Software: 'NovelAI', Comment: 'not json' })).toBeUndefined()
  })

  it('knows NovelAI\'s JSON wrapper of its text fields (WebP UserComment) and strips the NULs of its Description', () => {
    const doc = { Comment: V3_COMMENT, Description: '\u0000\u0000\u0000\u00001girl, maid', Software: 'NovelAI', Source: 'NovelAI Diffusion V4.5 4BDE2A90', 'Generation time': '0.1' }
    expect(isNovelAiJson(doc)).toBe(true)
    expect(novelAiTexts(doc)).toEqual({ Comment: V3_COMMENT, Description: '1girl, maid', Software: 'NovelAI', Source: 'NovelAI Diffusion V4.5 4BDE2A90' })
    expect(isNovelAiJson({ Comment: 'a nice photo' })).toBe(false)
    expect(isNovelAiJson({ Comment: '{"uc": "lowres"}' })).toBe(true)
  })

  it('warns when the Comment is cut, keeping the Description as the prompt', () => {
    const warnings: AiMetadataWarning[] = []
    const p = parseNovelAi({ Software: 'NovelAI', Description: '1girl, maid', Comment: V3_COMMENT.slice(0, 50) }, warnings)!
    expect(p.prompt).toBe('1girl, maid')
    expect(p.steps).toBeUndefined()
    expect(warnings).toEqual([expect.objectContaining({ generator: 'novelai', field: 'metadata' })])
  })
})

