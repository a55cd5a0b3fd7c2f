import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ocrModelFolder } from '../../test/helpers/ocr-models'
import type { BatchItem } from '../stage'
import { createOcrStage, type OcrStage } from './ocr.stage'

// The OCR stage with `engine: paddle` and the real PP-OCRv5 models: what the stage adds around
// the engine (decoding, per-image error records, the model's id in the version, a model that
// cannot load). The engine's reading is tested in paddle/paddle-engine.test.ts.
const FIXTURES = join(import.meta.dirname, '../../test/fixtures/ocr')

let dir: string
let stage: OcrStage
const item = (absPath: string, imageId: number): BatchItem => ({ imageId, hash: `h${imageId}`, absPath })

function paddleStage(folder: string): OcrStage {
  return createOcrStage({
    dataDir: dir,
    engine: 'paddle',
    paddle: {
      name: 'ppocrv5-mobile',
      identity: () => `${folder}#test`,
      threads: 0,
      files: async () => ({ det: join(folder, 'det.onnx'), rec: join(folder, 'rec.onnx'), cls: join(folder, 'cls.onnx'), dict: join(folder, 'dict.txt') }),
    },
    languages: ['eng'],
    workers: 1,
    dataVariant: '4.0.0',
    idleUnloadSeconds: 600,
  })
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sagasu-ocr-paddle-'))
  stage = paddleStage(ocrModelFolder())
  await stage.load()
}, 120_000)

afterAll(async () => {
  await stage?.unload()
  rmSync(dir, { recursive: true, force: true })
})

describe('the OCR stage with the paddle engine', () => {
  it('names the engine and model in its version, so a change of either reads the library again', () => {
    expect(stage.version()).toBe(`paddle:${ocrModelFolder()}#test/r2`)
    expect(stage.loadedWorkers).toBe(1)
  })

  it('gives a failed record to the image it cannot read and reads the others of the batch', async () => {
    const broken = join(dir, 'broken.png')
    writeFileSync(broken, Buffer.from('\x89PNG\r\n\x1a\nnot really'))
    // 99 bytes whose header says 20000×20000 (400 MP): refused before decoding, never an out-of-memory.
    const huge = join(FIXTURES, 'huge-20000.png')
    const outcomes = await stage.run([item(broken, 1), item(join(FIXTURES, 'eng.png'), 2), item(huge, 3), item(join(FIXTURES, 'blank.png'), 4)])
    expect(outcomes[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining(broken) })
    expect(outcomes[1]).toMatchObject({ status: 'done', output: expect.stringMatching(/\w{3,}/) })
    expect(outcomes[2]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/huge-20000\.png is too large for OCR: 20000×20000 pixels/) })
    expect(outcomes[3]).toEqual({ status: 'done', output: '' })
  }, 120_000)

  it('fails to load with one line naming the missing model file, which disables the stage', async () => {
    const empty = mkdtempSync(join(dir, 'models-'))
    const missing = paddleStage(empty)
    const error = await missing.load().then(() => new Error('the stage loaded without models'), (caught: unknown) => caught as Error)
    expect(error.message).toBe(`OCR disabled: ${join(empty, 'det.onnx')} does not exist`)
    expect(missing.loadedWorkers).toBe(0)
  }, 120_000)
})
