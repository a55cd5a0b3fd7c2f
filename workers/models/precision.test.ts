import { cp, mkdtemp, rm, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../config/load-config'
import type { ModelPrecision, SagasuConfig } from '../../config/schema'
import type { TagScore } from '../../shared/types/image'
import { COLOURS, solidImage, splitImage } from '../../test/helpers/model-images'
import type { BatchItem, BatchOutcome } from '../stage'
import { ClipStage } from './clip.stage'
import { ModelLoadError } from '../../models/model-load-error'
import { ModelRegistry } from '../../models/model-registry'
import { TaggerStage } from './tagger.stage'

// models.tagger.precision / models.clip.precision int8 with the tiny fixtures, whose `*_quantized.onnx`
// copies run DynamicQuantizeLinear + MatMulInteger as onnxruntime's quantize_dynamic writes them.
const FIXTURES = resolve('test/fixtures/models')
let dir: string
let base: SagasuConfig
let items: BatchItem[]

function withModels(change: { tagger?: Partial<SagasuConfig['models']['tagger']>; clip?: Partial<SagasuConfig['models']['clip']>; threads?: number }): SagasuConfig {
  return {
    ...base,
    models: {
      ...base.models,
      threads: change.threads ?? base.models.threads,
      tagger: { ...base.models.tagger, ...change.tagger },
      clip: { ...base.models.clip, ...change.clip },
    },
  }
}

function outputs<T>(outcomes: Array<BatchOutcome<T>>): T[] {
  return outcomes.map((outcome) => {
    if (outcome.status !== 'done') throw new Error(`expected an output, got ${JSON.stringify(outcome)}`)
    return outcome.output
  })
}

async function tagsWith(config: SagasuConfig): Promise<TagScore[][]> {
  const stage = new TaggerStage(config, new ModelRegistry(0))
  try {
    return outputs(await stage.run(items))
  } finally {
    await stage.unload()
  }
}

async function embeddingsWith(precision: ModelPrecision, threads = 0): Promise<Float32Array[]> {
  const stage = new ClipStage(withModels({ clip: { precision }, threads }), new ModelRegistry(0))
  try {
    return [...outputs(await stage.run(items)), ...(await stage.embedText(['red', 'blue']))]
  } finally {
    await stage.unload()
  }
}

async function loadFailure(stage: { load(): Promise<void>; unload(): Promise<void> }): Promise<unknown> {
  return stage.load().then(
    async () => {
      await stage.unload()
      throw new Error('the model loaded')
    },
    (error: unknown) => error,
  )
}

async function copyWithout(fixture: string, file: string): Promise<string> {
  const folder = join(dir, `${fixture}-without-${file.replaceAll('/', '-')}`)
  await cp(join(FIXTURES, fixture), folder, { recursive: true })
  await unlink(join(folder, file))
  return folder
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sagasu-precision-'))
  base = loadConfig({ file: resolve('test/fixtures/sagasu.test.yaml'), dataDir: join(dir, 'data'), env: {} }).config
  const paths = [
    await solidImage(dir, 'red.png', COLOURS.red),
    await solidImage(dir, 'teal.png', COLOURS.teal),
    await splitImage(dir, 'red-blue.png', COLOURS.red, COLOURS.blue),
    await solidImage(dir, 'grey.jpg', COLOURS.grey, 640, 480),
  ]
  items = paths.map((absPath, index) => ({ imageId: index + 1, hash: String(index), absPath }))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('int8 precision', () => {
  it('tags with the quantized tagger: the same tags as fp32, scores within 0.05, and not the fp32 graph', async () => {
    const fp32 = await tagsWith(base)
    const int8 = await tagsWith(withModels({ tagger: { precision: 'int8' } }))
    expect(int8.map((tags) => tags.map((tag) => tag.name).sort())).toEqual(fp32.map((tags) => tags.map((tag) => tag.name).sort()))
    expect(int8[0]!.map((tag) => tag.name)).toContain('red')
    const differences = fp32.flatMap((tags, n) => tags.map((tag) => Math.abs(tag.score - int8[n]!.find((other) => other.name === tag.name)!.score)))
    expect(Math.max(...differences)).toBeLessThan(0.05)
    // Equal scores everywhere would mean the fp32 file ran.
    expect(Math.max(...differences)).toBeGreaterThan(0)
  })

  it('reads the DeepDanbooru layout\'s quantized copy too', async () => {
    const path = join(FIXTURES, 'tiny-deepdanbooru')
    const [fp32] = await tagsWith(withModels({ tagger: { path } }))
    const [int8] = await tagsWith(withModels({ tagger: { path, precision: 'int8' } }))
    expect(int8!.map((tag) => tag.name)).toContain('red')
    expect(int8!.map((tag) => tag.name)).toEqual(fp32!.map((tag) => tag.name))
    expect(int8!.map((tag) => tag.score)).not.toEqual(fp32!.map((tag) => tag.score))
  })

  it('keeps the fp32 stage versions and gives int8 its own, so outputs of the two never mix', () => {
    const taggerPath = base.models.tagger.path!
    expect(new TaggerStage(base).version()).toBe(`tagger:auto:${taggerPath};general=0.35;character=0.85`)
    expect(new TaggerStage(withModels({ tagger: { precision: 'int8' } })).version()).toBe(`tagger:auto:${taggerPath}:int8;general=0.35;character=0.85`)
    expect(new ClipStage(base).version()).toBe(`clip:${base.models.clip.path!}`)
    expect(new ClipStage(withModels({ clip: { precision: 'int8' } })).version()).toBe(`clip:${base.models.clip.path!}:int8`)
  })

  it('names the missing quantized tagger file and the key that asked for it', async () => {
    const folder = await copyWithout('tiny-wd14', 'model_quantized.onnx')
    const error = await loadFailure(new TaggerStage(withModels({ tagger: { path: folder, precision: 'int8' } }), new ModelRegistry(0)))
    expect(error).toBeInstanceOf(ModelLoadError)
    expect((error as Error).message).toMatch(new RegExp(`^Tagger disabled: ${join(folder, 'model_quantized.onnx')} is missing: models\\.tagger\\.precision int8 reads the quantized copy of ${join(folder, 'model.onnx')}`))
  })

  it('embeds with the quantized CLIP towers: cosine above 0.99 to fp32, and the red image still nearest to "red"', async () => {
    const fp32 = await embeddingsWith('fp32')
    const int8 = await embeddingsWith('int8')
    const cosines = fp32.map((vector, n) => vector.reduce((sum, x, i) => sum + x * int8[n]![i]!, 0))
    for (const cosine of cosines) expect(cosine).toBeGreaterThan(0.99)
    expect(Math.min(...cosines.slice(0, items.length))).toBeLessThan(1 - 1e-7)
    const [red, teal, , , redText] = int8
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0)
    expect(dot(red!, redText!)).toBeGreaterThan(dot(teal!, redText!))
  })

  it('names the missing quantized CLIP tower and the key that asked for it', async () => {
    const folder = await copyWithout('tiny-clip', 'onnx/vision_model_quantized.onnx')
    const error = await loadFailure(new ClipStage(withModels({ clip: { path: folder, precision: 'int8' } }), new ModelRegistry(0)))
    expect(error).toBeInstanceOf(ModelLoadError)
    expect((error as Error).message).toMatch(new RegExp(`^CLIP disabled: ${join(folder, 'onnx/vision_model_quantized.onnx')} is missing .*for models\\.clip\\.precision int8`))
  })
})

describe('models.threads', () => {
  it('runs the tagger and CLIP sessions with one intra-op thread and gives the same outputs as onnxruntime\'s default', async () => {
    expect(await tagsWith(withModels({ threads: 1 }))).toEqual(await tagsWith(base))
    const [one, auto] = [await embeddingsWith('fp32', 1), await embeddingsWith('fp32', 0)]
    one.forEach((vector, n) => expect(Array.from(vector)).toEqual(Array.from(auto[n]!)))
  })
})
