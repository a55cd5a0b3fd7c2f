import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema, type SagasuConfig } from '../../config/schema'
import { openSqliteStore } from '../../server/store/embedded/sqlite-store'
import type { Store } from '../../server/store/store'
import { startFerretDb, type FerretDbServer } from '../../test/helpers/ferretdb'
import { tempDir } from '../../test/helpers/library'
import { openTempServersStore } from '../../test/helpers/servers-store'
import { runImport } from '../import'
import { runModelStages } from '../model-stages'
import type { PipelineContext } from '../pipeline-context'
import { ocrStageFromConfig } from '.'
import { paddleStageVersion, tesseractStageVersion } from './ocr-stage-version'

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/ocr')
/** What tesseract stored for the demo library's shapes image, an illustration without text (issue 13). */
const INVENTED = '哉国 又'

function configFor(dataDir: string, lib: string, languages: string[]): SagasuConfig {
  return configSchema.parse({
    dataDir,
    folders: [{ name: 'lib', path: lib }],
    watch: { enabled: false },
    models: { clip: { enabled: false }, tagger: { enabled: false }, ocr: { engine: 'tesseract', languages } },
  })
}

function contextFor(config: SagasuConfig, store: Store): PipelineContext {
  return { config, store, worker: 'test/1', log: () => undefined }
}

describe('the OCR stage version', () => {
  it('names the engine, the model by content and the pipeline revision', () => {
    expect(tesseractStageVersion('4.0.0', ['jpn', 'eng'])).toBe('tesseract.js@7.0.0/4.0.0/jpn+eng/r2')
    expect(paddleStageVersion('PP-OCRv5_mobile#0123456789abcdef')).toBe('paddle:PP-OCRv5_mobile#0123456789abcdef/r2')
    expect(paddleStageVersion('/models/a#0123456789abcdef')).not.toBe(paddleStageVersion('/models/a#fedcba9876543210'))
  })
})

function describeProfile(name: string, open: () => Promise<{ store: Store; dispose(): Promise<void> }>) {
  describe(`images OCR'd by another engine or model are read again (${name})`, () => {
    let store: Store
    let dispose: () => Promise<void>
    let dataDir: string
    let lib: string

    beforeAll(async () => {
      const dir = tempDir()
      dataDir = join(dir, 'data')
      lib = join(dir, 'lib')
      mkdirSync(lib)
      for (const file of ['eng.png', 'jpn.png', 'blank.png']) copyFileSync(join(FIXTURES, file), join(lib, file))
      ;({ store, dispose } = await open())
    }, 120_000)

    afterAll(async () => {
      await store?.close()
      await dispose?.()
    })

    it('marks every image pending under the new version, replaces the text, and clears text the new reading does not find', async () => {
      const english = configFor(dataDir, lib, ['eng'])
      expect(await runImport(contextFor(english, store), { folders: english.folders, concurrency: 2 })).toMatchObject({ added: 3, errors: 0 })
      const first = ocrStageFromConfig(english)!.version()
      const [firstRun] = await runModelStages(contextFor(english, store))
      expect(firstRun).toMatchObject({ stage: 'ocr', processed: 3, failed: 0 })
      expect((await store.findByPath('lib', 'eng.png'))?.text).toMatch(/Hello Sagasu search/)
      expect((await store.findByPath('lib', 'jpn.png'))?.text ?? '').not.toMatch(/東京/)
      // The shapes-image case: text stored for an image without any.
      const blank = (await store.findByPath('lib', 'blank.png'))!
      await store.setOcrText(blank.id, INVENTED)

      // Another model (here: the Japanese traineddata added) is another version.
      const japanese = configFor(dataDir, lib, ['jpn', 'eng'])
      const second = ocrStageFromConfig(japanese)!.version()
      expect(second).not.toBe(first)
      expect(await store.stageCounts('ocr', second)).toEqual({ done: 0, pending: 3 })
      const [secondRun] = await runModelStages(contextFor(japanese, store))
      expect(secondRun).toMatchObject({ stage: 'ocr', processed: 3, failed: 0 })
      expect((await store.findByPath('lib', 'jpn.png'))?.text).toMatch(/東京の空/)
      expect((await store.findByPath('lib', 'eng.png'))?.text).toMatch(/Hello Sagasu search/)
      expect((await store.findByPath('lib', 'blank.png'))?.text ?? null).toBeNull()
      expect(await store.stageCounts('ocr', second)).toEqual({ done: 3, pending: 0 })
      expect(await store.stageCounts('ocr', first)).toEqual({ done: 0, pending: 3 })

      // Nothing left: a third run reads no image.
      const [thirdRun] = await runModelStages(contextFor(japanese, store))
      expect(thirdRun).toMatchObject({ stage: 'ocr', processed: 0 })
    }, 180_000)
  })
}

describeProfile('SQLite', async () => ({ store: openSqliteStore(tempDir()), dispose: async () => undefined }))

describeProfile('MongoDB wire (FerretDB)', async () => {
  const ferret: FerretDbServer = await startFerretDb()
  return { store: openTempServersStore(ferret.url).store, dispose: () => ferret.stop() }
})
