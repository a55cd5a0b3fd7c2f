import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve, sep } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema, type SagasuConfig } from '../../config/schema'
import { ModelRegistry } from '../../models/model-registry'
import { COLOURS, solidImage } from '../../test/helpers/model-images'
import { startStandInHub, type StandInHub } from '../../test/helpers/stand-in-hub'
import { ClipStage } from './clip.stage'
import { TaggerStage } from './tagger.stage'

const FIXTURES = resolve('test/fixtures/models')
let dir: string
let hub: StandInHub
let hubUrl: string

function configWith(models: Record<string, unknown>): SagasuConfig {
  return configSchema.parse({ dataDir: join(dir, 'data'), models: { hubUrl, hubTimeoutSeconds: 5, ...models } })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sagasu-download-'))
  // The fixture folders, served as `sagasu/<folder>`.
  hub = await startStandInHub((repository, file) => {
    const [owner, folder] = repository.split('/')
    const path = resolve(FIXTURES, folder!, file)
    return owner === 'sagasu' && path.startsWith(FIXTURES + sep) && existsSync(path) ? path : undefined
  })
  hubUrl = hub.url
})

afterAll(async () => {
  await hub.close()
  await rm(dir, { recursive: true, force: true })
})

describe('models named by id', () => {
  it('downloads a WD14 tagger once into dataDir/models and tags with it', async () => {
    const red = await solidImage(dir, 'red.png', COLOURS.red)
    const config = configWith({ tagger: { name: 'sagasu/tiny-wd14' } })
    const stage = new TaggerStage(config, new ModelRegistry(0))
    const [outcome] = await stage.run([{ imageId: 1, hash: 'r', absPath: red }])
    await stage.unload()
    expect(outcome).toMatchObject({ status: 'done', output: expect.arrayContaining([expect.objectContaining({ name: 'red' })]) })
    const folder = join(dir, 'data/models/sagasu/tiny-wd14')
    expect((await readFile(join(folder, 'model.onnx'))).equals(await readFile(join(FIXTURES, 'tiny-wd14/model.onnx')))).toBe(true)
    // A second process (a fresh registry) reads the downloaded files without asking the hub.
    const before = hub.requests.length
    const again = new TaggerStage(config, new ModelRegistry(0))
    await again.load()
    await again.unload()
    expect(hub.requests.length).toBe(before)
  })

  it('lets transformers.js download a CLIP into dataDir/models', async () => {
    const config = configWith({ clip: { name: 'sagasu/tiny-clip' } })
    const stage = new ClipStage(config, new ModelRegistry(0))
    const [red] = await stage.embedText(['red'])
    await stage.unload()
    expect(red!.length).toBe(8)
    expect(existsSync(join(dir, 'data/models/sagasu/tiny-clip/onnx/vision_model.onnx'))).toBe(true)
  })

  it('names the model when the hub does not have it', async () => {
    const stage = new TaggerStage(configWith({ tagger: { name: 'sagasu/no-such-tagger' } }), new ModelRegistry(0))
    await expect(stage.load()).rejects.toThrow(`Tagger disabled: sagasu/no-such-tagger is not in ${join(dir, 'data/models/sagasu/no-such-tagger')} and cannot be downloaded (${hubUrl}/sagasu/no-such-tagger/resolve/main/selected_tags.csv answered HTTP 404)`)
  })
})
