import { cp, mkdtemp, rm, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../config/load-config'
import type { SagasuConfig } from '../config/schema'
import { checkModelCapabilities } from './model-capabilities'
import { ModelRegistry } from './model-registry'
import { clipSource } from './model-sources'

const FIXTURES = resolve('test/fixtures/models')
let dir: string

function testConfig(): SagasuConfig {
  return loadConfig({ file: resolve('test/fixtures/sagasu.test.yaml'), dataDir: join(dir, 'data'), env: {} }).config
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sagasu-capabilities-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('checkModelCapabilities', () => {
  it('reports the fixture models ready', async () => {
    expect(await checkModelCapabilities(testConfig())).toEqual({
      clip: { state: 'ready', source: join(FIXTURES, 'tiny-clip') },
      tagger: { state: 'ready', source: join(FIXTURES, 'tiny-wd14') },
    })
  })

  it('gives one line for a model turned off, a missing folder and a missing file', async () => {
    const config = testConfig()
    config.models.clip.enabled = false
    const broken = join(dir, 'broken-tagger')
    await cp(join(FIXTURES, 'tiny-deepdanbooru'), broken, { recursive: true })
    await unlink(join(broken, 'deepdanbooru.onnx'))
    config.models.tagger.path = broken
    const capabilities = await checkModelCapabilities(config)
    expect(capabilities.clip).toEqual({ state: 'disabled', reason: 'turned off (models.clip.enabled is false)', source: join(FIXTURES, 'tiny-clip') })
    expect(capabilities.tagger).toEqual({ state: 'disabled', reason: `${broken} has tags.txt (DeepDanbooru layout) but no model.onnx, deepdanbooru.onnx or other .onnx file`, source: broken })
    config.models.clip = { enabled: true, name: 'x/y', path: join(dir, 'nowhere'), precision: 'fp32' }
    expect((await checkModelCapabilities(config)).clip.reason).toBe(`the model folder ${join(dir, 'nowhere')} (models.clip.path) does not exist`)
  })

  it('tells a named model not downloaded yet, and with probeHub that it cannot be', async () => {
    const config = testConfig()
    delete config.models.clip.path
    const lazy = await checkModelCapabilities(config)
    expect(lazy.clip).toEqual({
      state: 'download',
      reason: `Xenova/clip-vit-base-patch32 is not downloaded yet; it is fetched from http://127.0.0.1:9 into ${join(dir, 'data/models/Xenova/clip-vit-base-patch32')} on first use`,
      source: `Xenova/clip-vit-base-patch32 (${join(dir, 'data/models')})`,
    })
    const probed = await checkModelCapabilities(config, { probeHub: true })
    expect(probed.clip.state).toBe('disabled')
    expect(probed.clip.reason).toMatch(/^Xenova\/clip-vit-base-patch32 is not downloaded and cannot be \(cannot reach http:\/\/127\.0\.0\.1:9\/.*\); set models\.clip\.path for an offline install$/)
  })

  it('reports the failure of the last load in this process', async () => {
    const config = testConfig()
    config.models.clip.path = join(dir, 'nowhere')
    const registry = new ModelRegistry(0)
    const source = clipSource(config)
    await expect(registry.preload(source.key, source.load)).rejects.toThrow('CLIP disabled')
    const { clip } = await checkModelCapabilities(config, { registry })
    expect(clip).toEqual({ state: 'disabled', reason: `the model folder ${join(dir, 'nowhere')} (models.clip.path) does not exist`, source: join(dir, 'nowhere') })
  })
})
