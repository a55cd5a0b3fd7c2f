import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema, type SagasuConfig } from '../config/schema'
import { COLOURS, solidImage } from '../test/helpers/model-images'
import { ClipStage } from '../workers/models/clip.stage'
import { ModelRegistry } from './model-registry'
import { TaggerStage } from '../workers/models/tagger.stage'

const FIXTURES = resolve('test/fixtures/models')
let dir: string
let hub: Server
let hubUrl: string
const requests: string[] = []

/**
 * A stand-in for the Hugging Face hub (the tests cannot reach it), answering as it does:
 * `GET|HEAD /<owner>/<name>/resolve/main/<file>` → 200 with the file, 404 otherwise. It serves
 * the fixture folders as `sagasu/<folder>`.
 */
function startHub(): Promise<void> {
  hub = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`)
    const match = /^\/sagasu\/([\w-]+)\/resolve\/main\/(.+)$/.exec(request.url ?? '')
    const file = match ? join(FIXTURES, match[1]!, match[2]!) : undefined
    if (!file || !file.startsWith(FIXTURES) || !existsSync(file)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found')
      return
    }
    void readFile(file).then((body) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
      response.end(request.method === 'HEAD' ? undefined : body)
    })
  })
  return new Promise((done) => hub.listen(0, '127.0.0.1', () => {
    hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`
    done()
  }))
}

function configWith(models: Record<string, unknown>): SagasuConfig {
  return configSchema.parse({ dataDir: join(dir, 'data'), models: { hubUrl, hubTimeoutSeconds: 5, ...models } })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sagasu-download-'))
  await startHub()
})

afterAll(async () => {
  await new Promise((done) => hub.close(done))
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
    const before = requests.length
    const again = new TaggerStage(config, new ModelRegistry(0))
    await again.load()
    await again.unload()
    expect(requests.length).toBe(before)
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
