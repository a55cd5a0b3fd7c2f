import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { AiParameters, ImageInput } from '../../../shared/types/image'
import type { PromptHit } from '../../../shared/types/prompt'
import { tempDir } from '../../../test/helpers/library'
import { openTempStore } from '../../../test/helpers/store'
import { FullTextQueryError } from '../full-text-query-error'
import type { Store } from '../store'
import { migrate, MIGRATIONS } from './migrations'
import { describeFts5Error } from './prompt-queries'
import { openSqliteStore } from './sqlite-store'

const BIG_SEED = '18446744073709551614'

/** The library every search runs over: path → AI parameters (undefined: an image without). */
const LIBRARY: Record<string, Omit<AiParameters, 'raw'> | undefined> = {
  'lora.png': {
    source: 'a1111', prompt: '(masterpiece:1.2), best quality, 1girl, long hair, <lora:foo_style:0.8>', negativePrompt: 'lowres, blurry, bad hands',
    seed: 1234567890, steps: 28, cfg: 7, sampler: 'Euler a', model: 'animagine',
  },
  'uniform.png': {
    source: 'a1111', prompt: '1girl, short hair, school uniform, smile', negativePrompt: 'lowres, bad anatomy',
    seed: 5, steps: 20, cfg: 5.5, sampler: 'DPM++ 2M Karras', model: 'animagine',
  },
  'cats.png': {
    source: 'comfyui', prompt: 'cat, cat ears, cat tail, cat girl', negativePrompt: 'dog',
    steps: 30, cfg: 6.5, sampler: 'euler', model: 'sdxl.safetensors', extra: { seed: BIG_SEED, scheduler: 'karras' },
  },
  'sofa.png': { source: 'novelai', prompt: 'a cat on a sofa, warm light', steps: 23, cfg: 6, sampler: 'k_euler_ancestral', model: 'NovelAI Diffusion V4.5' },
  'landscape.png': { source: 'a1111', prompt: 'landscape, mountains, sky', sampler: 'Euler a' },
  'city.png': { source: 'a1111', prompt: 'city at night, neon, rain, café' },
  'bokeh.png': { source: 'a1111', prompt: 'blurry background, bokeh, portrait', negativePrompt: 'jpeg artifacts, watermark, text' },
  'classroom.png': { source: 'novelai', prompt: '2girls, 教室, sunset', negativePrompt: '' },
  'plain.png': undefined,
}

function image(path: string, index: number, ai?: Omit<AiParameters, 'raw'>): ImageInput {
  return {
    folder: 'lib', path, filename: path, ext: 'png', filesize: 100 + index, mtime: 1000, hash: index.toString(16).padStart(16, '0'),
    width: 64 + index, height: 48, format: 'png', animated: false, frames: 1, type: 'other',
    ...(ai ? { ai: { ...ai, raw: ai.prompt } } : {}),
  }
}

async function fill(store: Store): Promise<Map<string, number>> {
  const ids = new Map<string, number>()
  for (const [index, [path, ai]] of Object.entries(LIBRARY).entries()) ids.set(path, await store.saveImage(image(path, index + 1, ai)))
  return ids
}

/** Checks the FTS index against ai_parameters, row by row (throws SQLITE_CORRUPT_VTAB when they differ). */
function checkIndex(dir: string): void {
  const db = new Database(join(dir, 'sagasu.db'))
  try {
    db.prepare("INSERT INTO prompt_fts (prompt_fts, rank) VALUES ('integrity-check', 1)").run()
  } finally {
    db.close()
  }
}

describe('prompt search in the SQLite store', () => {
  let dir: string
  let store: Store
  let ids: Map<string, number>

  const paths = async (query: string) => (await store.searchPrompts({ query, limit: 200 })).results.map((hit) => hit.path).sort()

  beforeAll(async () => {
    dir = tempDir()
    store = openSqliteStore(dir)
    ids = await fill(store)
  })
  afterAll(() => store.close())

  it.each([
    ['hair', ['lora.png', 'uniform.png']],
    ['HAIR', ['lora.png', 'uniform.png']],
    ['"long hair"', ['lora.png']],
    ['"hair long"', []],
    ['1girl smile', ['uniform.png']],
    ['1girl AND smile', ['uniform.png']],
    ['smile OR mountains', ['landscape.png', 'uniform.png']],
    ['1girl NOT smile', ['lora.png']],
    ['(smile OR mountains) NOT sky', ['uniform.png']],
    ['mount*', ['landscape.png']],
    ['mast*', ['lora.png']],
    ['^cat', ['cats.png']],
    ['^sofa', []],
    ['NEAR(ears girl, 3)', ['cats.png']],
    ['NEAR(ears girl, 1)', []],
    ['smiling', ['uniform.png']],
    ['cafe', ['city.png']],
    ['教室', ['classroom.png']],
    ['"and"', []],
    ['cat and dog', []],
  ])('%s', async (query, expected) => {
    expect(await paths(query)).toEqual(expected)
  })

  it('finds A1111 weights and LoRA tags by their words, quoted or not', async () => {
    for (const query of ['masterpiece', 'lora', 'foo_style', '"masterpiece:1.2"', '"<lora:foo_style:0.8>"', 'lora + foo + style']) {
      expect(await paths(query), query).toEqual(['lora.png'])
    }
  })

  it('filters by column: the negative prompt is its own column, also called negative', async () => {
    expect(await paths('negative_prompt: blurry')).toEqual(['lora.png'])
    expect(await paths('negative: blurry')).toEqual(['lora.png'])
    expect(await paths('NEGATIVE : blurry')).toEqual(['lora.png'])
    expect(await paths('"negative": blurry')).toEqual(['lora.png'])
    expect(await paths('prompt: blurry')).toEqual(['bokeh.png'])
    expect(await paths('- negative: blurry')).toEqual(['bokeh.png'])
    expect(await paths('{prompt negative}: lowres OR text')).toEqual(['bokeh.png', 'lora.png', 'uniform.png'])
    expect(await paths('prompt: lowres')).toEqual([])
    // Outside a column filter the word is a word.
    expect(await paths('negative')).toEqual([])
  })

  it('ranks by bm25, best first, with the score: more mentions of the word rank higher', async () => {
    const page = await store.searchPrompts({ query: 'cat', limit: 20 })
    expect(page.results.length).toBe(2)
    const mentions = (hit: PromptHit) => hit.prompt.split(/\W+/).filter((word) => word === 'cat').length
    const byMentions = [...page.results].sort((a, b) => mentions(b) - mentions(a))
    expect(page.results.map((hit) => hit.id)).toEqual(byMentions.map((hit) => hit.id))
    expect(mentions(page.results[0]!)).toBeGreaterThan(mentions(page.results[1]!))
    expect(page.results[0]!.score).toBeGreaterThan(page.results[1]!.score)
    expect(page.results.every((hit) => hit.score > 0)).toBe(true)
  })

  it('weighs a word in the prompt above the same word in the negative prompt', async () => {
    const page = await store.searchPrompts({ query: 'blurry', limit: 20 })
    expect(page.results.map((hit) => hit.path)).toEqual(['bokeh.png', 'lora.png'])
    expect(page.results[0]!.score).toBeGreaterThan(page.results[1]!.score)
  })

  it('returns the parameters, the image and the exact seed, also beyond 2^53', async () => {
    const [lora] = (await store.searchPrompts({ query: 'masterpiece', limit: 1 })).results
    expect(lora).toEqual({
      id: ids.get('lora.png'), score: expect.any(Number), source: 'a1111',
      prompt: LIBRARY['lora.png']!.prompt, negativePrompt: 'lowres, blurry, bad hands',
      seed: 1234567890, steps: 28, cfg: 7, sampler: 'Euler a', model: 'animagine',
      folder: 'lib', path: 'lora.png', hash: (await store.getImage(ids.get('lora.png')!))!.hash, width: 65, height: 48,
    })
    const [cats] = (await store.searchPrompts({ query: 'ears', limit: 1 })).results
    expect(cats!.seed).toBe(BIG_SEED)
    expect(BigInt(cats!.seed!)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER))
    const [landscape] = (await store.searchPrompts({ query: 'sky', limit: 1 })).results
    expect(Object.keys(landscape!)).not.toEqual(expect.arrayContaining(['seed', 'negativePrompt', 'steps', 'cfg', 'model']))
  })

  it('pages with an offset over a stable order, and counts every match', async () => {
    const all = await store.searchPrompts({ query: 'lowres OR cat OR 1girl OR sky', limit: 200 })
    expect(all.total).toBe(5)
    expect(all.nextOffset).toBeNull()
    const seen: number[] = []
    let offset: number | null = 0
    while (offset !== null) {
      const page = await store.searchPrompts({ query: 'lowres OR cat OR 1girl OR sky', limit: 2, offset })
      expect(page.total).toBe(5)
      seen.push(...page.results.map((hit) => hit.id))
      offset = page.nextOffset
    }
    expect(seen).toEqual(all.results.map((hit) => hit.id))
    const scores = all.results.map((hit) => hit.score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
    expect(await store.searchPrompts({ query: 'cat', limit: 5, offset: 50 })).toEqual({ total: 2, results: [], nextOffset: null })
  })

  it.each([
    ['', /^empty query$/],
    ['   ', /^empty query$/],
    ['<lora', /syntax error near "<"/],
    ['cat.girl', /syntax error near "\."/],
    ['NOT blurry', /syntax error near "NOT"/],
    ['cat AND', /^unexpected end/],
    ['(cat', /^unexpected end/],
    ['"unclosed', /^unclosed double quote$/],
    ['masterpiece:1.2', /unknown column "masterpiece"/],
    ['blue-hair', /unknown column "hair"/],
    ['rank: x', /unknown column "rank"/],
    ['prompt_fts: x', /unknown column "prompt_fts"/],
    ['NEAR(cat girl, x)', /NEAR distance must be a whole number, got "x"/],
    ['*', /^"\*" with no word before it$/],
    [`${'('.repeat(200)}cat${')'.repeat(200)}`, /^brackets nested too deeply$/],
  ])('rejects %j with a FullTextQueryError naming the problem', async (query, message) => {
    const error = await store.searchPrompts({ query, limit: 10 }).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(FullTextQueryError)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).not.toMatch(/^fts5:/)
  })

  it('counts what the prompts hold', async () => {
    const stats = await store.promptStats()
    const ai = Object.values(LIBRARY).filter((value) => value !== undefined)
    const countOf = (values: Array<string | undefined>) => {
      const counts = new Map<string, number>()
      for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1)
      return [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1))
    }
    const steps = ai.flatMap((p) => (p.steps === undefined ? [] : [p.steps]))
    const cfg = ai.flatMap((p) => (p.cfg === undefined ? [] : [p.cfg]))
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
    expect(stats).toEqual({
      images: Object.keys(LIBRARY).length,
      withAiParameters: ai.length,
      withPrompt: ai.length,
      withNegativePrompt: ai.filter((p) => p.negativePrompt).length,
      sources: countOf(ai.map((p) => p.source)),
      samplers: countOf(ai.map((p) => p.sampler)),
      models: countOf(ai.map((p) => p.model)),
      steps: { min: Math.min(...steps), max: Math.max(...steps), mean: expect.closeTo(mean(steps), 9) },
      cfg: { min: Math.min(...cfg), max: Math.max(...cfg), mean: expect.closeTo(mean(cfg), 9) },
    })
    expect(stats.sources[0]).toEqual({ name: 'a1111', count: 5 })
  })
})

describe('the prompt index follows the stored parameters', () => {
  let dir: string
  let store: Store
  beforeEach(() => ({ dir, store } = openTempStore()))
  afterEach(() => store.close())

  it('after a re-import with a changed prompt, a re-import without parameters, and removals', async () => {
    const ids = await fill(store)
    const paths = async (query: string) => (await store.searchPrompts({ query, limit: 200 })).results.map((hit) => hit.path).sort()
    expect(await paths('uniform')).toEqual(['uniform.png'])

    // The same file with new content: the store deletes and re-inserts its parameters.
    await store.saveImage(image('uniform.png', 2, { source: 'a1111', prompt: '1girl, sailor dress, smile', negativePrompt: 'worst quality' }))
    expect(await paths('uniform')).toEqual([])
    expect(await paths('sailor')).toEqual(['uniform.png'])
    expect(await paths('negative: lowres')).toEqual(['lora.png'])
    expect(await paths('negative: worst')).toEqual(['uniform.png'])
    checkIndex(dir)

    // New content without AI metadata.
    await store.saveImage(image('sofa.png', 4))
    expect(await paths('sofa')).toEqual([])
    checkIndex(dir)

    // Removing images: the foreign-key cascade deletes their parameters, and the trigger the index rows.
    await store.removeImages([ids.get('lora.png')!, ids.get('cats.png')!])
    expect(await paths('masterpiece')).toEqual([])
    expect(await paths('cat')).toEqual([])
    expect(await paths('1girl')).toEqual(['uniform.png'])
    expect((await store.searchPrompts({ query: 'lowres OR cat OR 1girl', limit: 10 })).total).toBe(1)
    checkIndex(dir)
    expect((await store.promptStats()).withAiParameters).toBe(Object.values(LIBRARY).filter(Boolean).length - 3)
  })

  it('is filled by the migration for parameters stored before it', async () => {
    await store.close()
    const before = MIGRATIONS.findIndex((sql) => sql.includes('CREATE VIRTUAL TABLE prompt_fts'))
    expect(before).toBeGreaterThan(0)
    const old = tempDir()
    const db = new Database(join(old, 'sagasu.db'))
    migrate(db, before)
    db.prepare(`INSERT INTO images (id, folder, path, filename, ext, filesize, mtime, hash, width, height, format, animated, frames, type, added_at, updated_at)
      VALUES (7, 'lib', 'old.png', 'old.png', 'png', 1, 1, '00000000000000ff', 1, 1, 'png', 0, 1, 'other', 1, 1)`).run()
    db.prepare("INSERT INTO ai_parameters (image_id, source, prompt, negative_prompt, raw) VALUES (7, 'a1111', 'silver hair, (masterpiece:1.1)', 'blurry', 'raw')").run()
    db.close()

    store = openSqliteStore(old)
    const page = await store.searchPrompts({ query: 'silver AND negative: blurry', limit: 5 })
    expect(page.results.map((hit) => [hit.id, hit.path])).toEqual([[7, 'old.png']])
    checkIndex(old)
  })
})

describe('describeFts5Error', () => {
  it('keeps a message it does not know, without the fts5 prefix', () => {
    expect(describeFts5Error('fts5: something new').message).toBe('something new')
    expect(describeFts5Error('fts5: syntax error near ""').message).toMatch(/^unexpected end/)
    expect(describeFts5Error('fts5: syntax error near "AND"').hint).toMatch(/AND joins two terms/)
  })
})
