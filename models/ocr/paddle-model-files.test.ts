import { existsSync } from 'node:fs'
import { cp, mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { configSchema, type SagasuConfig } from '../../config/schema'
import { ocrModelFolder, ocrModelsSkipReason } from '../../test/helpers/ocr-models'
import { startStandInHub, type StandInHub } from '../../test/helpers/stand-in-hub'
import { OFFICIAL_PPOCRV5_MOBILE, paddleModelIdentity, resolvePaddleModelFiles } from './paddle-model-files'

const skip = ocrModelsSkipReason()

let dir: string
let models: string
let hub: StandInHub | undefined
let hubUrl = ''
/** `<owner>/<name>` → file → absolute path it is served from. */
const repositories = new Map<string, Map<string, string>>()

function configWith(model: Record<string, unknown>, dataDir = join(dir, 'data')): SagasuConfig {
  return configSchema.parse({ dataDir, models: { hubUrl, hubTimeoutSeconds: 5, ocr: { model } } })
}

/** A copy of the real model folder that a test may break. */
async function copyOfModels(name: string): Promise<string> {
  const copy = join(dir, name)
  await cp(models, copy, { recursive: true })
  return copy
}

if (skip) {
  it.skip(skip, () => {})
} else {
  beforeAll(async () => {
    models = ocrModelFolder()
    dir = await mkdtemp(join(tmpdir(), 'sagasu-paddle-models-'))
    // PaddlePaddle's official pair: inference.onnx each, the dictionary inside the recogniser's inference.yml.
    const yml = join(dir, 'inference.yml')
    const dict = (await readFile(join(models, 'dict.txt'), 'utf8')).split('\n').slice(0, -1)
    await writeFile(yml, stringify({ Global: { model_name: 'PP-OCRv5_mobile_rec' }, PostProcess: { name: 'CTCLabelDecode', character_dict: dict } }))
    repositories.set(OFFICIAL_PPOCRV5_MOBILE.det, new Map([['inference.onnx', join(models, 'det.onnx')], ['inference.yml', yml]]))
    repositories.set(OFFICIAL_PPOCRV5_MOBILE.rec, new Map([['inference.onnx', join(models, 'rec.onnx')], ['inference.yml', yml]]))
    repositories.set('someone/ppocr-folder', new Map(['det.onnx', 'rec.onnx', 'cls.onnx', 'dict.txt'].map((file) => [file, join(models, file)])))
    hub = await startStandInHub((repository, file) => repositories.get(repository)?.get(file))
    hubUrl = hub.url
  })

  afterAll(async () => {
    await hub?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  describe('models.ocr.model.path', () => {
    it('gives the four files of a model folder and an identity that follows their content', async () => {
      const files = await resolvePaddleModelFiles(configWith({ path: models }))
      expect(files).toMatchObject({ det: join(models, 'det.onnx'), rec: join(models, 'rec.onnx'), cls: join(models, 'cls.onnx'), dict: join(models, 'dict.txt') })
      const identity = paddleModelIdentity(configWith({ path: models }))
      expect(identity).toMatch(new RegExp(`^${models.replaceAll('/', '\\/')}#[0-9a-f]{16}$`))
      expect(paddleModelIdentity(configWith({ path: models }))).toBe(identity)

      // Other files under the same path: another identity, so the images are read again.
      const copy = await copyOfModels('reordered')
      const dict = (await readFile(join(copy, 'dict.txt'), 'utf8')).split('\n')
      ;[dict[0], dict[1]] = [dict[1]!, dict[0]!]
      await writeFile(join(copy, 'dict.txt'), dict.join('\n'))
      const other = paddleModelIdentity(configWith({ path: copy }))
      expect(other.split('#')[1]).not.toBe(identity.split('#')[1])
    })

    it('leaves cls out when the folder has no direction classifier', async () => {
      const copy = await copyOfModels('no-cls')
      await unlink(join(copy, 'cls.onnx'))
      const files = await resolvePaddleModelFiles(configWith({ path: copy }))
      expect(files.cls).toBeUndefined()
      expect(files.det).toBe(join(copy, 'det.onnx'))
    })

    it('names a missing file, a missing folder, a corrupt model and a foreign dictionary', async () => {
      const missing = await copyOfModels('missing-det')
      await unlink(join(missing, 'det.onnx'))
      await expect(resolvePaddleModelFiles(configWith({ path: missing }))).rejects.toThrow(`OCR disabled: ${join(missing, 'det.onnx')} is missing`)

      await expect(resolvePaddleModelFiles(configWith({ path: join(dir, 'nowhere') }))).rejects.toThrow(`OCR disabled: the model folder ${join(dir, 'nowhere')} (models.ocr.model.path) does not exist`)

      const truncated = await copyOfModels('truncated-rec')
      await truncate(join(truncated, 'rec.onnx'), 1000)
      await expect(resolvePaddleModelFiles(configWith({ path: truncated }))).rejects.toThrow(`OCR disabled: ${join(truncated, 'rec.onnx')} is not a readable ONNX model`)

      const text = await copyOfModels('text-det')
      await writeFile(join(text, 'det.onnx'), 'not a model\n')
      await expect(resolvePaddleModelFiles(configWith({ path: text }))).rejects.toThrow(`OCR disabled: ${join(text, 'det.onnx')}`)

      const shortDict = await copyOfModels('short-dict')
      const lines = (await readFile(join(shortDict, 'dict.txt'), 'utf8')).split('\n')
      await writeFile(join(shortDict, 'dict.txt'), lines.slice(1).join('\n'))
      await expect(resolvePaddleModelFiles(configWith({ path: shortDict }))).rejects.toThrow(
        `OCR disabled: ${join(shortDict, 'dict.txt')} has 18382 entries but ${join(shortDict, 'rec.onnx')} scores 18385 classes`)

      const binaryDict = await copyOfModels('binary-dict')
      await writeFile(join(binaryDict, 'dict.txt'), Buffer.from([0xff, 0xfe, 0x00, 0x41]))
      await expect(resolvePaddleModelFiles(configWith({ path: binaryDict }))).rejects.toThrow(`OCR disabled: ${join(binaryDict, 'dict.txt')} is not a UTF-8 dictionary`)
    })
  })

  describe('models.ocr.model.name', () => {
    it('downloads PaddlePaddle\'s PP-OCRv5 mobile pair once and writes dict.txt from its inference.yml', async () => {
      const dataDir = join(dir, 'official')
      const files = await resolvePaddleModelFiles(configWith({}, dataDir))
      const det = join(dataDir, 'models', ...OFFICIAL_PPOCRV5_MOBILE.det.split('/'), 'inference.onnx')
      const recFolder = join(dataDir, 'models', ...OFFICIAL_PPOCRV5_MOBILE.rec.split('/'))
      expect(files).toMatchObject({ det, rec: join(recFolder, 'inference.onnx'), dict: join(recFolder, 'dict.txt') })
      expect(files.cls).toBeUndefined()
      expect(paddleModelIdentity(configWith({}, dataDir))).toBe('PP-OCRv5_mobile')
      expect(await readFile(files.dict, 'utf8')).toBe(await readFile(join(models, 'dict.txt'), 'utf8'))
      expect((await readFile(det)).equals(await readFile(join(models, 'det.onnx')))).toBe(true)

      // Downloaded once: a second resolve reads the data directory without asking the hub.
      const before = hub!.requests.length
      expect(await resolvePaddleModelFiles(configWith({}, dataDir))).toEqual(files)
      expect(hub!.requests.length).toBe(before)
    })

    it('downloads a repository holding the folder layout, the classifier included', async () => {
      const dataDir = join(dir, 'by-id')
      const files = await resolvePaddleModelFiles(configWith({ name: 'someone/ppocr-folder' }, dataDir))
      const folder = join(dataDir, 'models', 'someone', 'ppocr-folder')
      expect(files).toMatchObject({ det: join(folder, 'det.onnx'), rec: join(folder, 'rec.onnx'), cls: join(folder, 'cls.onnx'), dict: join(folder, 'dict.txt') })
    })

    it('says how to install offline when the hub cannot be reached, and refuses a name that is no id', async () => {
      hub!.setUp(false)
      try {
        const dataDir = join(dir, 'offline')
        await expect(resolvePaddleModelFiles(configWith({}, dataDir))).rejects.toThrow(/^OCR disabled: PaddlePaddle\/PP-OCRv5_mobile_det_onnx is not in .* and cannot be downloaded \(.*HTTP 503\); set models\.ocr\.model\.path/)
        expect(existsSync(join(dataDir, 'models', 'PaddlePaddle', 'PP-OCRv5_mobile_det_onnx', 'inference.onnx'))).toBe(false)
      } finally {
        hub!.setUp(true)
      }
      await expect(resolvePaddleModelFiles(configWith({ name: '../escape' }))).rejects.toThrow('OCR disabled: models.ocr.model.name "../escape" is neither PP-OCRv5_mobile nor a model id')
    })
  })
}
