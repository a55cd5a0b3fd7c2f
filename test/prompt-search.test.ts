import { unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PromptHit, PromptSearchPage, PromptStats } from '../shared/types/prompt'
import { writePngTextChunks } from '../workers/ai-metadata/png-chunks'
import { runCli, runCliJson } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { eventually, startServer, type RunningServer } from './helpers/server'

const BIG_SEED = '18446744073709551614'

const a1111 = (prompt: string, negative: string, settings: string) => `${prompt}\nNegative prompt: ${negative}\n${settings}`

/** Written as text on purpose: the seed is a bare JSON literal beyond 2^53, as ComfyUI writes it. */
const COMFY_PROMPT = `{
  "3": {"class_type": "KSampler", "inputs": {"seed": ${BIG_SEED}, "steps": 25, "cfg": 6.5, "sampler_name": "euler", "scheduler": "normal",
        "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0]}},
  "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sdxl.safetensors"}},
  "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry background, bokeh, portrait of a fox", "clip": ["4", 1]}},
  "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "watermark", "clip": ["4", 1]}}
}`

/** File name → PNG text chunks, written by the metadata writers the way each tool writes them. */
const LIBRARY: Record<string, Record<string, string>> = {
  'a1111.png': {
    parameters: a1111('(masterpiece:1.2), best quality, 1girl, long hair, <lora:foo_style:0.8>', 'lowres, blurry, bad hands',
      'Steps: 28, Sampler: Euler a, CFG scale: 7, Seed: 1234567890, Size: 512x768, Model: animagine'),
  },
  'cats.png': {
    parameters: a1111('cat, cat ears, cat tail, cat girl, smiling', 'dog, lowres', 'Steps: 20, Sampler: Euler a, CFG scale: 5, Seed: 7, Model: animagine'),
  },
  'comfy.png': { prompt: COMFY_PROMPT },
  'sofa.png': {
    Software: 'NovelAI',
    Source: 'NovelAI Diffusion V3 4BDE2A90',
    Comment: JSON.stringify({ prompt: 'a cat on a sofa, warm light', uc: 'blurry', steps: 23, scale: 6, seed: 3712459870, sampler: 'k_euler_ancestral' }),
  },
}

async function writeAiPng(path: string, index: number, texts: Record<string, string>): Promise<void> {
  const png = await sharp({ create: { width: 40 + index, height: 30, channels: 3, background: colorOf(index) } }).png().toBuffer()
  writeFileSync(path, writePngTextChunks(png, texts))
}

describe('prompt search over HTTP and the CLI', () => {
  let dir: string
  let lib: string
  let config: string
  let server: RunningServer

  const get = async <T>(path: string) => {
    const response = await fetch(`${server.url}${path}`)
    return { status: response.status, text: await response.clone().text(), body: (await response.json()) as T }
  }
  const search = (params: Record<string, string>) => get<PromptSearchPage & { error?: { message: string; hint?: string } }>(`/api/prompts/search?${new URLSearchParams(params)}`)
  const names = (page: PromptSearchPage) => page.results.map((hit) => hit.path).sort()

  beforeAll(async () => {
    dir = tempDir()
    lib = join(dir, 'lib')
    await writeImage(join(lib, 'plain.png'), { color: colorOf(0) })
    for (const [i, [name, texts]] of Object.entries(LIBRARY).entries()) await writeAiPng(join(lib, name), i + 1, texts)
    config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' })
    expect((await runCliJson(['--config', config, 'import'])).code).toBe(0)
    server = await startServer(['--config', config])
  })

  afterAll(async () => {
    await server?.stop()
  })

  it.each([
    ['cat', ['cats.png', 'sofa.png']],
    ['CAT', ['cats.png', 'sofa.png']],
    ['"long hair"', ['a1111.png']],
    ['"hair long"', []],
    ['cat smiling', ['cats.png']],
    ['cat AND smile', ['cats.png']],
    ['fox OR sofa', ['comfy.png', 'sofa.png']],
    ['cat NOT sofa', ['cats.png']],
    ['mast*', ['a1111.png']],
    ['^cat', ['cats.png']],
    ['NEAR(ears girl, 3)', ['cats.png']],
    ['NEAR(ears girl, 1)', []],
    ['blurry', ['a1111.png', 'comfy.png', 'sofa.png']],
    ['negative_prompt: blurry', ['a1111.png', 'sofa.png']],
    ['negative: blurry', ['a1111.png', 'sofa.png']],
    ['prompt: blurry', ['comfy.png']],
    ['{prompt negative}: lowres', ['a1111.png', 'cats.png']],
    ['- negative: blurry', ['comfy.png']],
    ['masterpiece', ['a1111.png']],
    ['"masterpiece:1.2"', ['a1111.png']],
    ['lora', ['a1111.png']],
    ['"<lora:foo_style:0.8>"', ['a1111.png']],
  ])('q=%s', async (q, expected) => {
    const { status, body } = await search({ q })
    expect(status).toBe(200)
    expect(names(body)).toEqual(expected)
    expect(body.total).toBe(expected.length)
  })

  it('keeps bm25 order with the score: the prompt that repeats the word comes first', async () => {
    const { body } = await search({ q: 'cat' })
    const mentions = (hit: PromptHit) => hit.prompt.split(/\W+/).filter((word) => word === 'cat').length
    expect(body.results.length).toBe(2)
    expect(mentions(body.results[0]!)).toBeGreaterThan(mentions(body.results[1]!))
    expect(body.results[0]!.score).toBeGreaterThan(body.results[1]!.score)
  })

  it('returns the parameters of each tool, the image, and a seed beyond 2^53 exactly', async () => {
    const { body: lora } = await search({ q: 'masterpiece' })
    expect(lora.results[0]).toMatchObject({
      source: 'a1111', prompt: '(masterpiece:1.2), best quality, 1girl, long hair, <lora:foo_style:0.8>', negativePrompt: 'lowres, blurry, bad hands',
      seed: 1234567890, steps: 28, cfg: 7, sampler: 'Euler a', model: 'animagine', folder: 'lib', path: 'a1111.png', width: 41, height: 30,
    })
    const thumb = await fetch(`${server.url}/thumbs/${lora.results[0]!.hash}`)
    expect(thumb.status).toBe(200)
    const image = await get<{ id: number; path: string }>(`/api/images/${lora.results[0]!.id}`)
    expect(image.body.path).toBe('a1111.png')

    const { body: sofa } = await search({ q: 'sofa' })
    expect(sofa.results[0]).toMatchObject({ source: 'novelai', negativePrompt: 'blurry', seed: 3712459870, steps: 23, cfg: 6, sampler: 'k_euler_ancestral' })

    const { body: fox, text } = await search({ q: 'fox' })
    expect(fox.results[0]).toMatchObject({ source: 'comfyui', negativePrompt: 'watermark', seed: BIG_SEED, steps: 25, cfg: 6.5, sampler: 'euler', model: 'sdxl.safetensors' })
    expect(text).toContain(`"seed":"${BIG_SEED}"`)
  })

  it('bounds l (default 20) and pages with offset', async () => {
    const one = await search({ q: 'blurry', l: '1' })
    expect(one.status).toBe(200)
    expect(one.body).toMatchObject({ total: 3, nextOffset: 1 })
    expect(one.body.results).toHaveLength(1)
    const rest = await search({ q: 'blurry', l: '200', offset: '1' })
    expect(rest.body.results).toHaveLength(2)
    expect(rest.body.nextOffset).toBeNull()
    const all = await search({ q: 'blurry' })
    expect([...one.body.results, ...rest.body.results].map((hit) => hit.id)).toEqual(all.body.results.map((hit) => hit.id))
    for (const l of ['0', '201', '-1', '1.5', 'abc', '']) {
      const { status, body } = await search({ q: 'cat', l })
      expect(status, `l=${l}`).toBe(400)
      expect(body.error!.message, `l=${l}`).toBe('l: a whole number from 1 to 200')
    }
    expect((await search({ q: 'cat', offset: '-1' })).body.error!.message).toBe('offset: a whole number from 0 to 100000')
  })

  it.each([
    [{ q: '' }, /^q: empty query$/],
    [{ q: '   ' }, /^q: empty query$/],
    [{}, /^q: required/],
    [{ q: '<lora' }, /^q: syntax error near "<"/],
    [{ q: 'masterpiece:1.2' }, /^q: unknown column "masterpiece"/],
    [{ q: 'foo: cat' }, /^q: unknown column "foo".*prompt and negative_prompt/],
    [{ q: 'cat AND' }, /^q: unexpected end/],
    [{ q: '"cat' }, /^q: unclosed double quote$/],
    [{ q: 'cat '.repeat(300) }, /^q: at most 1000 characters/],
    [{ q: 'cat\u0000' }, /^q: control character U\+0000 in the query$/],
    [{ q: 'cat', limit: '5' }, /^unknown parameter limit; known: q, l, offset/],
  ])('answers %j with 400 and the reason', async (params, message) => {
    const { status, body } = await search(params as Record<string, string>)
    expect(status).toBe(400)
    expect(body.error!.message).toMatch(message)
  })

  it('answers a repeated q with 400, and a hint with a malformed query', async () => {
    const repeated = await get<{ error: { message: string } }>('/api/prompts/search?q=cat&q=dog')
    expect(repeated.status).toBe(400)
    expect(repeated.body.error.message).toBe('q: give it once, as text')
    const { body } = await search({ q: 'cat.girl' })
    expect(body.error).toEqual({ message: 'q: syntax error near "."', hint: expect.stringContaining('"masterpiece:1.2"') })
  })

  it('counts the prompts', async () => {
    const { status, body } = await get<PromptStats>('/api/prompts/stats')
    expect(status).toBe(200)
    expect(body).toEqual({
      images: 5,
      withAiParameters: 4,
      withPrompt: 4,
      withNegativePrompt: 4,
      sources: [{ name: 'a1111', count: 2 }, { name: 'comfyui', count: 1 }, { name: 'novelai', count: 1 }],
      samplers: [{ name: 'Euler a', count: 2 }, { name: 'euler', count: 1 }, { name: 'k_euler_ancestral', count: 1 }],
      models: [{ name: 'animagine', count: 2 }, { name: 'sdxl.safetensors', count: 1 }, { name: 'NovelAI Diffusion V3 4BDE2A90', count: 1 }].sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1)),
      steps: { min: 20, max: 28, mean: (28 + 20 + 25 + 23) / 4 },
      cfg: { min: 5, max: 7, mean: (7 + 5 + 6.5 + 6) / 4 },
    })
  })

  it('searches from the CLI, best first, exiting 2 on a malformed query', async () => {
    const { code, body } = await runCliJson<PromptSearchPage>(['--config', config, 'prompts', 'cat OR fox', '--limit', '2'])
    expect(code).toBe(0)
    expect(body.total).toBe(3)
    expect(body.results).toHaveLength(2)
    expect(body.nextOffset).toBe(2)
    const http = await search({ q: 'cat OR fox', l: '2' })
    expect(body.results.map((hit) => hit.id)).toEqual(http.body.results.map((hit) => hit.id))

    const text = await runCli(['--config', config, 'prompts', 'negative: blurry'])
    expect(text.code).toBe(0)
    const lines = text.stdout.trim().split('\n')
    expect(lines.map((line) => line.split('\t')[2]).sort()).toEqual(['lib/a1111.png', 'lib/sofa.png'])
    expect(text.stderr).toContain('2 images')

    const bad = await runCliJson<{ error: { message: string; hint?: string } }>(['--config', config, 'prompts', '<lora:foo>'])
    expect(bad.code).toBe(2)
    expect(bad.body.error.message).toBe('query: syntax error near "<"')
    expect(bad.body.error.hint).toContain('double quotes')
    const plain = await runCli(['--config', config, 'prompts', 'foo: x'])
    expect(plain.code).toBe(2)
    expect(plain.stderr).toMatch(/^sagasu: query: unknown column "foo"/)
    expect((await runCli(['--config', config, 'prompts', 'cat', '--limit', '201'])).code).toBe(2)
    const long = await runCli(['--config', config, 'prompts', 'cat '.repeat(300)])
    expect(long.code).toBe(2)
    expect(long.stderr).toContain('sagasu: query: longer than 1000 characters')
    expect((await runCli(['--config', config, 'prompts'])).code).toBe(2)
  })

  it('follows the library: a re-imported file with a new prompt, a deleted file', async () => {
    const before = (await search({ q: 'masterpiece' })).body.results[0]!
    await writeAiPng(join(lib, 'a1111.png'), 9, { parameters: a1111('1girl, silver hair, snowfield', 'worst quality', 'Steps: 30, Sampler: DPM++ 2M, CFG scale: 4, Seed: 99') })
    const after = await eventually(async () => {
      const { body } = await search({ q: 'snowfield' })
      return body.total === 1 ? body.results[0] : undefined
    }, 20_000, 'the new prompt')
    expect(after).toMatchObject({ id: before.id, path: 'a1111.png', negativePrompt: 'worst quality', seed: 99, sampler: 'DPM++ 2M' })
    expect((await search({ q: 'masterpiece' })).body.total).toBe(0)
    expect(names((await search({ q: 'negative: blurry' })).body)).toEqual(['sofa.png'])

    unlinkSync(join(lib, 'cats.png'))
    await eventually(async () => ((await search({ q: 'cat' })).body.total === 1 ? true : undefined), 20_000, 'the removal')
    expect(names((await search({ q: 'cat' })).body)).toEqual(['sofa.png'])
    expect(names((await search({ q: 'lowres' })).body)).toEqual([])
    const { body: stats } = await get<PromptStats>('/api/prompts/stats')
    expect(stats).toMatchObject({ images: 4, withAiParameters: 3, sources: [{ name: 'a1111', count: 1 }, { name: 'comfyui', count: 1 }, { name: 'novelai', count: 1 }] })
  })
})
