import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { BatchItem } from '../stage'
import { characterErrorRate } from '../../models/ocr/character-error-rate'
import { createOcrStage, type OcrStage } from './ocr.stage'

// Real tesseract.js with the language data from node_modules; no network is used (langPath is a
// local folder). Starting tesseract costs seconds, so one stage serves the whole file.
const FIXTURES = join(import.meta.dirname, '../../test/fixtures/ocr')
const truth = JSON.parse(readFileSync(join(FIXTURES, 'truth.json'), 'utf8')) as Record<string, { language: string; text: string }>

/** Upper bounds on the character error rate; clean renders read almost perfectly, speckled and coloured ones a little worse. */
const CER_BOUND: Record<string, number> = {
  'eng.png': 0.05, 'eng-small.png': 0.05, 'jpn.png': 0.05, 'jpn-vert.png': 0.05, 'chi-sim.png': 0.05,
  'jpn-noise.jpg': 0.15, 'chi-sim-colour.png': 0.15,
}
const CJK_SPACE_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}] +[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u

let dataDir: string
let stage: OcrStage
const item = (absPath: string, imageId = 1): BatchItem => ({ imageId, hash: `h${imageId}`, absPath })

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sagasu-ocr-'))
  stage = createOcrStage({ dataDir, languages: ['jpn', 'jpn_vert', 'chi_sim', 'eng'], workers: 1, dataVariant: '4.0.0', idleUnloadSeconds: 600 })
  await stage.load()
})

afterAll(async () => {
  await stage?.unload()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('the OCR stage', () => {
  it('reads English, Japanese (horizontal and vertical) and Chinese within the error bounds, CJK spaces removed', async () => {
    const files = Object.keys(truth)
    expect(files.length).toBeGreaterThanOrEqual(7)
    const outcomes = await stage.run(files.map((file, i) => item(join(FIXTURES, file), i + 1)))
    for (const [i, file] of files.entries()) {
      const outcome = outcomes[i]!
      expect(outcome.status, file).toBe('done')
      if (outcome.status !== 'done') continue
      const cer = characterErrorRate(outcome.output, truth[file]!.text)
      expect(cer, `${file}: read ${JSON.stringify(outcome.output)}`).toBeLessThanOrEqual(CER_BOUND[file]!)
      if (truth[file]!.language !== 'eng') expect(outcome.output, file).not.toMatch(CJK_SPACE_CJK)
      expect(outcome.output, file).toBe(outcome.output.trim())
    }
  })

  it('reads vertical Japanese with the vertical model and horizontal text without it', async () => {
    const vertical = await stage.recognise(join(FIXTURES, 'jpn-vert.png'))
    expect(vertical.lines.length).toBeGreaterThan(0)
    expect(vertical.lines.every((line) => line.vertical)).toBe(true)
    const horizontal = await stage.recognise(join(FIXTURES, 'jpn.png'))
    expect(horizontal.lines.length).toBeGreaterThan(0)
    expect(horizontal.lines.some((line) => line.vertical)).toBe(false)
  })

  it('finds no text on a blank image', async () => {
    expect(await stage.run([item(join(FIXTURES, 'blank.png'))])).toEqual([{ status: 'done', output: '' }])
  })

  it('fails an undecodable, a missing and a huge image with a reason naming the file, and reads the rest of the batch', async () => {
    const broken = join(dataDir, 'broken.png')
    writeFileSync(broken, Buffer.from('this is not an image at all'))
    const missing = join(dataDir, 'missing.png')
    const huge = join(FIXTURES, 'huge-20000.png')
    const outcomes = await stage.run([item(broken, 1), item(missing, 2), item(huge, 3), item(join(FIXTURES, 'eng.png'), 4)])
    expect(outcomes[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining(broken) })
    expect(outcomes[0]).toMatchObject({ reason: expect.stringMatching(/cannot decode/) })
    expect(outcomes[1]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/cannot read .*missing\.png/) })
    expect(outcomes[2]).toMatchObject({ status: 'failed', reason: expect.stringContaining(huge) })
    expect(outcomes[2]).toMatchObject({ reason: expect.stringMatching(/too large for OCR: 20000×20000 pixels/) })
    expect(outcomes[3]).toMatchObject({ status: 'done', output: expect.stringContaining('Hello Sagasu') })
  })

  it('names its settings in its version, so a change of languages or data recomputes the text', () => {
    const other = createOcrStage({ dataDir, languages: ['eng'], workers: 1, dataVariant: '4.0.0_best_int', idleUnloadSeconds: 1 })
    expect(stage.name).toBe('ocr')
    expect(stage.version()).not.toBe(other.version())
    expect(stage.version()).toContain('jpn+jpn_vert+chi_sim+eng')
    // Revision 2: full-width punctuation kept and transparency onto a contrasting background change the stored text.
    expect(stage.version()).toBe('tesseract.js@7.0.0/4.0.0/jpn+jpn_vert+chi_sim+eng/r2')
  })
})

describe('idle unloading', () => {
  it('terminates the tesseract workers after the idle time and starts them again for the next batch', async () => {
    const idle = createOcrStage({ dataDir, languages: ['eng'], workers: 1, dataVariant: '4.0.0_best_int', idleUnloadSeconds: 1 })
    expect(idle.loadedWorkers).toBe(0)
    const first = await idle.run([item(join(FIXTURES, 'eng.png'))])
    expect(first[0]).toMatchObject({ status: 'done', output: expect.stringContaining('Hello') })
    expect(idle.loadedWorkers).toBe(1)
    await vi.waitFor(() => expect(idle.loadedWorkers).toBe(0), { timeout: 10_000, interval: 100 })
    const second = await idle.run([item(join(FIXTURES, 'eng.png'))])
    expect(second).toEqual(first)
    await idle.unload()
    expect(idle.loadedWorkers).toBe(0)
  })
})
