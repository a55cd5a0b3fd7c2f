import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ocrModelFolder } from '../../../test/helpers/ocr-models'
import { characterErrorRate } from '../character-error-rate'
import { decodeForOcr } from '../decode-pixels'
import { tidyOcrText } from '../ocr-text'
import { DEFAULT_PREPROCESS_LIMITS } from '../preprocess'
import { DEFAULT_PADDLE_SETTINGS, PaddleEngine, type PaddleModelFiles } from './paddle-engine'

/**
 * The paddle engine with the real PP-OCRv5 mobile models (installed by `npm run test:deps`) on
 * real images nobody on the project made: ../shared/realworld/ocr (its README gives sources and
 * the truth format) and, for images without text, ../shared/realworld/aimeta.
 */
const realworld = join(import.meta.dirname, '../../../../shared/realworld')

interface TruthItem { file: string; group: string; truth: string; blocks?: string[] }

/**
 * Upper bounds on the character error rate (text NFKC-normalised on both sides, as the stage
 * stores it): what the engine reads on this machine plus about one character of slack per line,
 * so an unrelated change to the models' numerics does not fail the test, while a broken vertical
 * turn, dictionary offset or reading order (CER ≥ 50 %) does.
 */
const CER_BOUND: Record<string, number> = {
  'images/jp_vertical/mokuro_001b_b08.png': 0.15,
  'images/jp_vertical/mokuro_002b_b09.png': 0.15,
  'images/jp_vertical/mokuro_001a_b11.png': 0.15,
  'images/zh/test_without_det.jpg': 0.1,
  'images/zh/paddle_word_2.jpg': 0.1,
  'images/zh/multi-line_cn2.png': 0.05,
  'images/en/multi-line_en_black.png': 0.03,
  'images/en/dtrb_demo_4.png': 0.1,
}

/** Generated illustrations with no text in them (checked by eye; files with a watermark or the "01" tattoo left out). */
const TEXT_FREE = ['comfyex_flux_girl_in_field.png', 'sdmeta_png_comfyui.png', 'comfyex_chroma_fennec_girl_hug.png']

function filesIn(folder: string): PaddleModelFiles {
  return { det: join(folder, 'det.onnx'), rec: join(folder, 'rec.onnx'), cls: join(folder, 'cls.onnx'), dict: join(folder, 'dict.txt') }
}

describe('the paddle OCR engine (real PP-OCRv5 models)', () => {
  if (!existsSync(realworld) && process.env.SAGASU_NO_REALWORLD) {
    it.skip(`skipped: ${realworld} is missing and SAGASU_NO_REALWORLD is set`, () => {})
    return
  }
  let engine: PaddleEngine
  let items: TruthItem[]
  const read = async (file: string): Promise<string> => tidyOcrText((await engine.recognize(await decodeForOcr(file, DEFAULT_PREPROCESS_LIMITS))).text)

  beforeAll(async () => {
    const truthFile = join(realworld, 'ocr/truth.json')
    if (!existsSync(truthFile)) throw new Error(`${truthFile} is missing: the real OCR images are needed (set SAGASU_NO_REALWORLD to skip)`)
    items = (JSON.parse(readFileSync(truthFile, 'utf8')) as { items: TruthItem[] }).items
    engine = await PaddleEngine.create({ ...DEFAULT_PADDLE_SETTINGS, modelName: 'ppocrv5-mobile', files: filesIn(ocrModelFolder()) })
  }, 120_000)

  afterAll(async () => {
    await engine?.close()
  })

  it.each(Object.keys(CER_BOUND))('reads %s within its error bound', async (file) => {
    const item = items.find((candidate) => candidate.file === file)
    expect(item, `${file} in truth.json`).toBeDefined()
    const text = await read(join(realworld, 'ocr', file))
    const cer = characterErrorRate(text, tidyOcrText(item!.truth))
    expect(cer, `read ${JSON.stringify(text)}, truth ${JSON.stringify(item!.truth)}`).toBeLessThanOrEqual(CER_BOUND[file]!)
  }, 120_000)

  it('reads a vertical bubble as vertical lines, columns right to left', async () => {
    const image = await decodeForOcr(join(realworld, 'ocr/images/jp_vertical/mokuro_001b_b08.png'), DEFAULT_PREPROCESS_LIMITS)
    const result = await engine.recognize(image)
    expect(result.lines.length).toBeGreaterThanOrEqual(3)
    expect(result.lines.every((line) => line.vertical)).toBe(true)
    const lefts = result.lines.map((line) => line.box[0][0])
    expect(lefts).toEqual([...lefts].sort((a, b) => b - a))
    for (const line of result.lines) expect(line.confidence).toBeGreaterThan(DEFAULT_PADDLE_SETTINGS.lineConfidenceFloor)
  }, 120_000)

  it('reads a whole manga page bubble by bubble, each bubble’s columns in order', async () => {
    const text = await read(join(realworld, 'ocr/images/manga_page/mokuro_001b.jpg'))
    const lines = text.split('\n')
    const at = (piece: string): number => lines.findIndex((line) => line.includes(piece))
    // The bubble "ヤモリの繁殖に / みごと成功 / したのでした！" (truth.json's blocks), right to left.
    expect(at('ヤモリの繁殖'), text).toBeGreaterThanOrEqual(0)
    expect(at('成功'), text).toBe(at('ヤモリの繁殖') + 1)
    expect(at('したのでした'), text).toBe(at('成功') + 1)
    // "ついにすべての / ネコのあこがれ…", below it on the page.
    expect(at('ついにすべての'), text).toBeGreaterThan(at('したのでした'))
    expect(at('ネコのあこがれ'), text).toBe(at('ついにすべての') + 1)
  }, 120_000)

  it.each(TEXT_FREE)('stores no text for the illustration %s', async (name) => {
    const text = await read(join(realworld, 'aimeta/files', name))
    expect([...text.replace(/\s/g, '')].length, JSON.stringify(text)).toBeLessThanOrEqual(1)
  }, 120_000)

  it('shrinks a large image before detection (a 6000×6000 page runs at the detector’s bounded size)', async () => {
    const width = 6000, height = 6000
    const data = new Uint8Array(width * height).fill(255)
    const result = await engine.recognize({ data, width, height, channels: 1 })
    expect(result).toEqual({ text: '', lines: [] })
  }, 120_000)

  it('reads an upside-down line with the direction classifier turned on', async () => {
    const image = await decodeForOcr(join(realworld, 'ocr/images/zh/test_without_det.jpg'), DEFAULT_PREPROCESS_LIMITS)
    // Turned 180°: the pixels in reverse order.
    const turned = new Uint8Array(image.data.length)
    const pixels = image.width * image.height
    for (let i = 0; i < pixels; i++) turned.set(image.data.subarray(i * 3, i * 3 + 3), (pixels - 1 - i) * 3)
    const classifying = await PaddleEngine.create({ ...DEFAULT_PADDLE_SETTINGS, classifyDirection: true, modelName: 'ppocrv5-mobile', files: filesIn(ocrModelFolder()) })
    try {
      const text = tidyOcrText((await classifying.recognize({ ...image, data: turned })).text)
      expect(characterErrorRate(text, '在中国作家协会第三届儿童文学')).toBeLessThanOrEqual(0.1)
    } finally {
      await classifying.close()
    }
  }, 120_000)

  it('fails one bad image with a clear error and reads the next', async () => {
    await expect(engine.recognize({ data: new Uint8Array(10), width: 100, height: 100, channels: 3 })).rejects.toThrow(/holds 10 bytes, 100×100×3 expected/)
    expect(await read(join(realworld, 'ocr/images/en/dtrb_demo_4.png'))).toBe('Greenstead')
  }, 120_000)
})

describe('a paddle model folder that cannot load', () => {
  const folder = mkdtempSync(join(tmpdir(), 'sagasu-paddle-'))
  afterAll(() => rmSync(folder, { recursive: true, force: true }))
  const copy = (): PaddleModelFiles => {
    const source = ocrModelFolder()
    for (const name of ['det.onnx', 'rec.onnx', 'cls.onnx', 'dict.txt']) copyFileSync(join(source, name), join(folder, name))
    return filesIn(folder)
  }

  it('names a corrupt recogniser in one line', async () => {
    const files = copy()
    writeFileSync(files.rec, 'not an onnx file')
    const error = await PaddleEngine.create({ ...DEFAULT_PADDLE_SETTINGS, modelName: 'x', files }).then(
      () => new Error('the engine loaded a corrupt recogniser'),
      (caught: unknown) => caught as Error,
    )
    expect(error.message).toMatch(new RegExp(`^OCR disabled: cannot load ${files.rec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    expect(error.message).not.toContain('\n')
  }, 120_000)

  it('names a missing detector', async () => {
    const files = copy()
    rmSync(files.det)
    await expect(PaddleEngine.create({ ...DEFAULT_PADDLE_SETTINGS, modelName: 'x', files })).rejects.toThrow(`OCR disabled: ${files.det} does not exist`)
  }, 120_000)

  it('names a dictionary that is not the recogniser’s', async () => {
    const files = copy()
    writeFileSync(files.dict, 'a\nb\nc\n')
    await expect(PaddleEngine.create({ ...DEFAULT_PADDLE_SETTINGS, modelName: 'x', files })).rejects.toThrow(/OCR disabled: .*dict\.txt lists 3 characters but the recogniser has 18385 classes/)
  }, 120_000)
})
