import { cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../config/load-config'
import type { SagasuConfig } from '../../config/schema'
import { COLOURS, hugePng, solidImage, undecodableImage } from '../../test/helpers/model-images'
import type { BatchItem, BatchOutcome } from '../stage'
import { ClipStage } from './clip.stage'
import { loadClipModel } from '../../models/clip-model'
import { ModelLoadError } from '../../models/model-load-error'
import { ModelRegistry } from '../../models/model-registry'

const FIXTURES = resolve('test/fixtures/models')
const COLOUR_NAMES = ['red', 'green', 'blue', 'yellow', 'white', 'black'] as const
let dir: string
let config: SagasuConfig
let stage: ClipStage
const paths: Record<string, string> = {}

function dot(a: Float32Array, b: Float32Array): number {
  return a.reduce((sum, x, i) => sum + x * b[i]!, 0)
}

function embedding(outcome: BatchOutcome<Float32Array> | undefined): Float32Array {
  if (outcome?.status !== 'done') throw new Error(`expected an embedding, got ${JSON.stringify(outcome)}`)
  return outcome.output
}

function items(keys: string[]): BatchItem[] {
  return keys.map((key, index) => ({ imageId: index + 1, hash: key, absPath: paths[key]! }))
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sagasu-clip-'))
  config = loadConfig({ file: resolve('test/fixtures/sagasu.test.yaml'), dataDir: join(dir, 'data'), env: {} }).config
  for (const name of COLOUR_NAMES) paths[name] = await solidImage(dir, `${name}.png`, COLOURS[name])
  paths.darkRed = await solidImage(dir, 'dark-red.jpg', [180, 30, 25], 640, 480)
  paths.broken = await undecodableImage(dir)
  paths.huge = await hugePng(dir)
  stage = new ClipStage(config, new ModelRegistry(0))
  await stage.load()
})

afterAll(async () => {
  await stage.unload()
  await rm(dir, { recursive: true, force: true })
})

describe('CLIP stage with the tiny CLIP', () => {
  it('ranks the image of each colour first for the colour word', async () => {
    const images = (await stage.run(items([...COLOUR_NAMES]))).map(embedding)
    const texts = await stage.embedText([...COLOUR_NAMES])
    COLOUR_NAMES.forEach((word, w) => {
      const ranked = COLOUR_NAMES.map((name, i) => ({ name, score: dot(texts[w]!, images[i]!) })).sort((a, b) => b.score - a.score)
      expect(ranked[0]!.name, `"${word}" ranks ${ranked.map((r) => r.name).join(', ')}`).toBe(word)
    })
  })

  it('reads words in a sentence, in any case', async () => {
    const [red, green] = (await stage.run(items(['red', 'green']))).map(embedding)
    const [sentence] = await stage.embedText(['A photo of a GREEN girl'])
    expect(dot(sentence!, green!)).toBeGreaterThan(dot(sentence!, red!))
  })

  it('returns unit-length text and image embeddings', async () => {
    const vectors = [...(await stage.embedText(['red', 'a picture', 'unknownword'])), ...(await stage.run(items(['blue', 'white', 'darkRed']))).map(embedding)]
    for (const vector of vectors) {
      expect(vector.length).toBe(8)
      expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 5)
    }
  })

  it('finds a red image most similar to another red one', async () => {
    const [darkRed, ...others] = (await stage.run(items(['darkRed', ...COLOUR_NAMES]))).map(embedding)
    const ranked = COLOUR_NAMES.map((name, i) => ({ name, score: dot(darkRed!, others[i]!) })).sort((a, b) => b.score - a.score)
    expect(ranked[0]!.name).toBe('red')
  })

  it('embeds a batch as it embeds images one by one', async () => {
    const keys = ['red', 'darkRed', 'blue', 'yellow']
    const together = (await stage.run(items(keys))).map(embedding)
    for (const [index, key] of keys.entries()) {
      const alone = embedding((await stage.run(items([key])))[0])
      alone.forEach((x, i) => expect(x).toBeCloseTo(together[index]![i]!, 5))
    }
  })

  it('fails an undecodable and a 20000×20000 image alone, and embeds the others', async () => {
    const outcomes = await stage.run(items(['broken', 'red', 'huge']))
    expect(outcomes[0]).toEqual({ status: 'failed', reason: expect.stringMatching(/^cannot decode the image: /) })
    expect(embedding(outcomes[1]).length).toBe(8)
    expect(outcomes[2]).toEqual({ status: 'failed', reason: expect.stringContaining('20000×20000 pixels') })
  })
})

describe('loading CLIP', () => {
  async function loadError(load: Promise<{ release(): Promise<void> }>): Promise<string> {
    const error = await load.then(
      async (model) => {
        await model.release()
        throw new Error('the model loaded')
      },
      (error: unknown) => error,
    )
    expect(error).toBeInstanceOf(ModelLoadError)
    return (error as Error).message
  }

  it('names the missing file of a model folder', async () => {
    const folder = join(dir, 'no-vision')
    await cp(join(FIXTURES, 'tiny-clip'), folder, { recursive: true })
    await unlink(join(folder, 'onnx/vision_model.onnx'))
    expect(await loadError(loadClipModel({ folder }))).toBe(
      `CLIP disabled: ${join(folder, 'onnx/vision_model.onnx')} is missing (a CLIP folder needs config.json, preprocessor_config.json, tokenizer.json, tokenizer_config.json, onnx/text_model.onnx, onnx/vision_model.onnx)`,
    )
  })

  it('names a corrupt ONNX file', async () => {
    const folder = join(dir, 'corrupt')
    await cp(join(FIXTURES, 'tiny-clip'), folder, { recursive: true })
    await writeFile(join(folder, 'onnx/text_model.onnx'), Buffer.from('definitely not an onnx graph'))
    expect(await loadError(loadClipModel({ folder }))).toMatch(new RegExp(`^CLIP disabled: cannot load ${join(folder, 'onnx/text_model.onnx').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*protobuf`, 'i'))
  })

  it('fails at once with a clear message when a named model cannot be downloaded', async () => {
    // Port 9 on the loopback refuses the connection: what an offline machine gives, without a network wait.
    const message = await loadError(loadClipModel({ name: 'sagasu-test/no-such-clip', hubUrl: 'http://127.0.0.1:9', modelsDir: join(dir, 'models'), timeoutMs: 2000 }))
    expect(message).toMatch(/^CLIP disabled: sagasu-test\/no-such-clip is not in .*no-such-clip and cannot be downloaded \(cannot reach http:\/\/127\.0\.0\.1:9\/sagasu-test\/no-such-clip\/resolve\/main\/config\.json: .*\); set models\.clip\.path to a local CLIP folder/)
  })

  it('fails within the timeout when the hub accepts the connection but never answers', async () => {
    const silent = createServer(() => undefined)
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done))
    const { port } = silent.address() as AddressInfo
    try {
      const message = await loadError(loadClipModel({ name: 'Xenova/clip-vit-base-patch32', hubUrl: `http://127.0.0.1:${port}`, modelsDir: join(dir, 'models'), timeoutMs: 300 }))
      expect(message).toContain(`cannot be downloaded (cannot reach http://127.0.0.1:${port}/Xenova/clip-vit-base-patch32/resolve/main/config.json: no answer within 300 ms)`)
    } finally {
      silent.closeAllConnections?.()
      await new Promise((done) => silent.close(done))
    }
  })

  it('refuses a name that is not a model id', async () => {
    expect(await loadError(loadClipModel({ name: '../../etc', hubUrl: 'http://127.0.0.1:9', modelsDir: join(dir, 'models'), timeoutMs: 100 }))).toBe(
      'CLIP disabled: models.clip.name "../../etc" is not a model id such as Xenova/clip-vit-base-patch32',
    )
  })
})
