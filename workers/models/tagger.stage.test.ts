import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../config/load-config'
import type { SagasuConfig } from '../../config/schema'
import type { TagScore } from '../../shared/types/image'
import { COLOURS, hugePng, solidImage, splitImage, undecodableImage } from '../../test/helpers/model-images'
import type { BatchItem, BatchOutcome } from '../stage'
import { ModelRegistry } from '../../models/model-registry'
import { TaggerStage } from './tagger.stage'

const FIXTURES = resolve('test/fixtures/models')
let dir: string
let images: Record<string, string>

function configFor(folder: string, overrides: Partial<SagasuConfig['thresholds']> = {}): SagasuConfig {
  const { config } = loadConfig({ file: resolve('test/fixtures/sagasu.test.yaml'), dataDir: join(dir, 'data'), env: {} })
  config.models.tagger.path = join(FIXTURES, folder)
  Object.assign(config.thresholds, overrides)
  return config
}

function item(name: string, id = 1): BatchItem {
  return { imageId: id, hash: `h${id}`, absPath: images[name]! }
}

function names(outcome: BatchOutcome<TagScore[]> | undefined): string[] {
  if (outcome?.status !== 'done') throw new Error(`expected tags, got ${JSON.stringify(outcome)}`)
  return outcome.output.map((tag) => tag.name)
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sagasu-tagger-'))
  images = {
    red: await solidImage(dir, 'red.png', COLOURS.red),
    green: await solidImage(dir, 'green.jpg', COLOURS.green, 200, 300),
    blue: await solidImage(dir, 'blue.webp', COLOURS.blue),
    grey: await solidImage(dir, 'grey.png', COLOURS.grey, 64, 64),
    teal: await solidImage(dir, 'teal.png', COLOURS.teal, 400, 400),
    yellow: await solidImage(dir, 'yellow.png', COLOURS.yellow, 400, 400),
    redBlue: await splitImage(dir, 'red-blue.png', COLOURS.red, COLOURS.blue),
    broken: await undecodableImage(dir),
    huge: await hugePng(dir),
    missing: join(dir, 'gone.png'),
  }
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe.each([
  { folder: 'tiny-wd14', rating: 'rating:general' },
  { folder: 'tiny-deepdanbooru', rating: 'rating:safe' },
])('tagger stage, $folder layout', ({ folder, rating }) => {
  let stage: TaggerStage

  beforeAll(async () => {
    stage = new TaggerStage(configFor(folder), new ModelRegistry(0))
    await stage.load()
  })

  afterAll(async () => {
    await stage.unload()
  })

  it('tags solid colours with their colour, a score over the threshold and a rating', async () => {
    const outcomes = await stage.run([item('red', 1), item('green', 2), item('blue', 3), item('grey', 4)])
    expect(names(outcomes[0])).toContain('red')
    expect(names(outcomes[0])).not.toEqual(expect.arrayContaining(['green']))
    expect(names(outcomes[0])).not.toEqual(expect.arrayContaining(['blue']))
    expect(names(outcomes[1])).toContain('green')
    expect(names(outcomes[1])).not.toContain('red')
    expect(names(outcomes[2])).toContain('blue')
    expect(names(outcomes[3])).toEqual(expect.arrayContaining(['monochrome', rating]))
    expect(names(outcomes[3])).not.toEqual(expect.arrayContaining(['red']))
    for (const outcome of outcomes) {
      if (outcome.status !== 'done') throw new Error('expected done')
      const general = outcome.output.filter((tag) => tag.category === 'general')
      expect(general.length).toBeGreaterThan(0)
      for (const tag of general) expect(tag.score).toBeGreaterThanOrEqual(0.35)
      expect(outcome.output.filter((tag) => tag.category === 'rating').length).toBeGreaterThanOrEqual(1)
      // Highest score first.
      expect(outcome.output.map((tag) => tag.score)).toEqual([...outcome.output.map((tag) => tag.score)].sort((a, b) => b - a))
    }
  })

  it('gives both colours of a half-red, half-blue image and no monochrome', async () => {
    const [outcome] = await stage.run([item('redBlue')])
    expect(names(outcome)).toEqual(expect.arrayContaining(['red', 'blue']))
    expect(names(outcome)).not.toContain('monochrome')
    expect(names(outcome)).not.toContain('green')
  })

  it('keeps character tags over the character threshold with their category', async () => {
    const [teal, yellow, red] = await stage.run([item('teal', 1), item('yellow', 2), item('red', 3)])
    if (teal?.status !== 'done' || yellow?.status !== 'done') throw new Error('expected done')
    expect(teal.output).toContainEqual(expect.objectContaining({ name: 'hatsune_miku', category: 'character' }))
    expect(teal.output.find((tag) => tag.name === 'hatsune_miku')!.score).toBeGreaterThanOrEqual(0.85)
    expect(yellow.output).toContainEqual(expect.objectContaining({ name: 'kirisame_marisa', category: 'character' }))
    expect(names(red)).not.toContain('hatsune_miku')
  })

  it('gives the same tags for a batch as for images one by one', async () => {
    const keys = ['red', 'green', 'blue', 'grey', 'teal', 'redBlue']
    const together = await stage.run(keys.map((key, index) => item(key, index)))
    for (const [index, key] of keys.entries()) {
      const [alone] = await stage.run([item(key, index)])
      expect(names(alone)).toEqual(names(together[index]))
      // onnxruntime sums a batch in another order than a single image: float32 rounding, not a different answer.
      if (alone?.status !== 'done' || together[index]?.status !== 'done') throw new Error('expected done')
      alone.output.forEach((tag, position) => expect(tag.score).toBeCloseTo((together[index] as { output: TagScore[] }).output[position]!.score, 2))
    }
  })

  it('fails an undecodable, a missing and a 20000×20000 image one by one, and tags the rest', async () => {
    const outcomes = await stage.run([item('broken', 1), item('red', 2), item('huge', 3), item('missing', 4), item('blue', 5)])
    expect(outcomes[0]).toEqual({ status: 'failed', reason: expect.stringMatching(/^cannot decode the image: /) })
    expect(names(outcomes[1])).toContain('red')
    expect(outcomes[2]).toEqual({ status: 'failed', reason: expect.stringContaining('20000×20000 pixels') })
    expect(outcomes[3]).toEqual({ status: 'failed', reason: 'the file no longer exists' })
    expect(names(outcomes[4])).toContain('blue')
  })
})

describe('tagger thresholds', () => {
  it('keeps the best rating even when every score is under the thresholds', async () => {
    const stage = new TaggerStage(configFor('tiny-wd14', { general: 0.999, character: 0.999 }), new ModelRegistry(0))
    const [outcome] = await stage.run([item('grey')])
    await stage.unload()
    if (outcome?.status !== 'done') throw new Error('expected done')
    expect(outcome.output).toEqual([{ name: 'rating:general', category: 'rating', score: expect.any(Number) }])
  })

  it('changes its version with the thresholds, so stale tags are recomputed', () => {
    const a = new TaggerStage(configFor('tiny-wd14'), new ModelRegistry(0)).version()
    const b = new TaggerStage(configFor('tiny-wd14', { general: 0.5 }), new ModelRegistry(0)).version()
    expect(a).not.toBe(b)
  })
})
