/**
 * The model stages run chunk-major: every image of a chunk is read and decoded once, then handed
 * to each stage it is pending for. Real parts: SQLite store, the fixture tagger and CLIP on
 * onnxruntime, the PP-OCRv5 models (`npm run test:deps`), files on a real temporary folder whose
 * reads are counted through the runner's reader — and moved away once read, so a stage that read
 * a file again by itself would fail on it.
 */
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema, type SagasuConfig } from '../config/schema'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import type { ErrorInput, Store } from '../server/store/store'
import { tempDir } from '../test/helpers/library'
import { ocrModelFolder, ocrModelsSkipReason } from '../test/helpers/ocr-models'
import { readFileInside } from '../media/contained-file'
import { runImport } from './import'
import { modelStages, runModelStages, type AnyModelStage } from './model-stages'
import type { PipelineContext } from './pipeline-context'
import type { BatchItem, BatchOutcome } from './stage'

const FIXTURES = join(import.meta.dirname, '../test/fixtures')

function configFor(dataDir: string, lib: string, overrides: { general?: number; clipPath?: string } = {}): SagasuConfig {
  return configSchema.parse({
    dataDir,
    folders: [{ name: 'lib', path: lib }],
    watch: { enabled: false },
    models: {
      tagger: { path: join(FIXTURES, 'models/tiny-wd14') },
      clip: { path: overrides.clipPath ?? join(FIXTURES, 'models/tiny-clip') },
      ocr: { model: { path: ocrModelFolder() } },
      hubUrl: 'http://127.0.0.1:9',
      hubTimeoutSeconds: 1,
      batchSize: 2,
    },
    thresholds: { general: overrides.general ?? 0.35, character: 0.85 },
  })
}

/** What each stage was handed and what it stored, per image id. */
interface Watched {
  stages: AnyModelStage[]
  handed: Map<string, BatchItem[]>
  stored: Map<string, Map<number, unknown>>
}

/** The configured stages, each watched: the items it runs on and the outputs it stores (through the real store). */
function watchedStages(config: SagasuConfig): Watched {
  const handed = new Map<string, BatchItem[]>()
  const stored = new Map<string, Map<number, unknown>>()
  const stages = modelStages(config).map((entry) => {
    const { stage } = entry
    const name = stage.name
    handed.set(name, [])
    stored.set(name, new Map())
    const run = stage.run.bind(stage) as (batch: BatchItem[]) => Promise<Array<BatchOutcome<unknown>>>
    const save = entry.save as (store: Store, outputs: Array<{ id: number; output: unknown }>) => Promise<void>
    Object.assign(stage, { run: (batch: BatchItem[]) => (handed.get(name)!.push(...batch), run(batch)) })
    return {
      stage,
      save: async (store: Store, outputs: Array<{ id: number; output: unknown }>) => {
        for (const { id, output } of outputs) stored.get(name)!.set(id, output)
        await save(store, outputs)
      },
    } as AnyModelStage
  })
  return { stages, handed, stored }
}

/** The runner's reader, counting reads per file and moving each file away once read (`restore` puts them back). */
function countingReader() {
  const reads = new Map<string, number>()
  const moved: string[] = []
  return {
    reads,
    read: async (absPath: string, root?: string): Promise<Buffer> => {
      const bytes = await readFileInside(absPath, root)
      reads.set(absPath, (reads.get(absPath) ?? 0) + 1)
      renameSync(absPath, `${absPath}.away`)
      moved.push(absPath)
      return bytes
    },
    restore() {
      for (const path of moved.splice(0)) renameSync(`${path}.away`, path)
    },
  }
}

const skip = ocrModelsSkipReason()

describe.skipIf(skip !== null)('model stages, chunk-major', () => {
  if (skip) console.log(skip)
  let dir: string
  let lib: string
  let store: Store
  let names: string[]
  const ctx = (config: SagasuConfig): PipelineContext => ({ config, store, worker: 'test/1', log: () => undefined })

  beforeAll(async () => {
    dir = tempDir('sagasu-chunks-')
    lib = join(dir, 'lib')
    mkdirSync(lib)
    for (const file of ['eng.png', 'jpn.png', 'blank.png']) copyFileSync(join(FIXTURES, 'ocr', file), join(lib, file))
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#e6141e' } }).png().toFile(join(lib, 'red.png'))
    // EXIF orientation 6: every stage must see it turned upright.
    await sharp({ create: { width: 200, height: 120, channels: 3, background: '#1428dc' } }).jpeg().withMetadata({ orientation: 6 }).toFile(join(lib, 'blue-turned.jpg'))
    // Transparency: the tagger pads it with white, OCR puts it on a contrasting background.
    await sharp({ create: { width: 320, height: 90, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: await sharp({ create: { width: 200, height: 40, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 1 } } }).png().toBuffer(), left: 20, top: 25 }])
      .png()
      .toFile(join(lib, 'white-on-clear.png'))
    names = ['eng.png', 'jpn.png', 'blank.png', 'red.png', 'blue-turned.jpg', 'white-on-clear.png']
    store = openSqliteStore(join(dir, 'data'))
    const config = configFor(join(dir, 'data'), lib)
    expect(await runImport(ctx(config), { folders: config.folders, concurrency: 2 })).toMatchObject({ added: names.length, errors: 0 })
  }, 120_000)

  afterAll(async () => {
    await store?.close()
  })

  /** Runs the watched stages through the counting reader (the files are back in place afterwards). */
  async function runCounting(config: SagasuConfig, watched: Watched) {
    const reader = countingReader()
    try {
      return { reader, results: await runModelStages(ctx(config), { stages: watched.stages, readFile: reader.read }) }
    } finally {
      reader.restore()
    }
  }

  it('reads and decodes each file once for all three stages, and stores what each stage gives on its own', async () => {
    const config = configFor(join(dir, 'data'), lib)
    const watched = watchedStages(config)
    const { reader, results } = await runCounting(config, watched)
    expect(results.map(({ stage, processed, failed, state }) => ({ stage, processed, failed, state }))).toEqual(['tag', 'embed', 'ocr'].map((stage) => ({ stage, processed: names.length, failed: 0, state: 'idle' })))
    expect(Object.fromEntries(reader.reads)).toEqual(Object.fromEntries(names.map((name) => [join(lib, name), 1])))
    for (const [stage, items] of watched.handed) {
      expect(items.length, stage).toBe(names.length)
      expect(items.every((item) => item.decoded?.ok), stage).toBe(true)
    }
    expect((await store.findByPath('lib', 'eng.png'))?.text).toMatch(/Hello Sagasu/)

    // Stage by stage, each decoding the file by itself from its path, as the server's query encoder does.
    for (const { stage } of watched.stages) {
      const items = await Promise.all(names.map(async (name) => ({ imageId: (await store.findByPath('lib', name))!.id, hash: '', absPath: join(lib, name), root: lib })))
      const alone = await stage.run(items)
      const together = watched.stored.get(stage.name)!
      items.forEach((item, index) => {
        const outcome = alone[index]
        if (outcome?.status !== 'done') throw new Error(`${stage.name} failed on ${item.absPath} alone: ${JSON.stringify(outcome)}`)
        expect(together.get(item.imageId), `${stage.name} on ${item.absPath}`).toEqual(outcome.output)
      })
      await stage.unload()
    }
  }, 300_000)

  it('decodes an image pending for one stage only once, for that stage only', async () => {
    // New thresholds: a new tagger version, so only the tags are pending.
    const config = configFor(join(dir, 'data'), lib, { general: 0.5 })
    const watched = watchedStages(config)
    const { reader, results } = await runCounting(config, watched).finally(async () => {
      for (const { stage } of watched.stages) await stage.unload()
    })
    expect(results.map(({ stage, processed }) => [stage, processed])).toEqual([['tag', names.length], ['embed', 0], ['ocr', 0]])
    expect([...reader.reads.values()]).toEqual(names.map(() => 1))
    expect(watched.handed.get('tag')!.every((item) => item.decoded?.ok)).toBe(true)
    expect(watched.handed.get('embed')).toEqual([])
    expect(watched.handed.get('ocr')).toEqual([])
  }, 120_000)

  it('gives an image that cannot be decoded an error record for each stage it was pending for, and the others go on', async () => {
    const config = configFor(join(dir, 'data'), lib, { general: 0.5 })
    const cut = join(lib, 'cut.png')
    const whole = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer()
    writeFileSync(cut, whole)
    writeFileSync(join(lib, 'green.png'), await sharp({ create: { width: 300, height: 200, channels: 3, background: '#14c828' } }).png().toBuffer())
    expect(await runImport(ctx(config), { folders: config.folders, concurrency: 2 })).toMatchObject({ added: 2, errors: 0 })
    // Cut short after the import: the header still reads, the pixels do not.
    writeFileSync(cut, whole.subarray(0, 200))
    // The real store, its error records watched: it keeps one error per file (the last), each stage records its own.
    const recorded: ErrorInput[] = []
    const watchedStore = new Proxy(store, {
      get: (target, key, receiver) => key === 'recordError'
        ? (error: ErrorInput) => (recorded.push(error), target.recordError(error))
        : Reflect.get(target, key, receiver),
    })
    const results = await runModelStages({ ...ctx(config), store: watchedStore })
    expect(results.map(({ stage, processed, failed }) => [stage, processed, failed])).toEqual([['tag', 2, 1], ['embed', 2, 1], ['ocr', 2, 1]])
    expect(recorded.map(({ path, stage, reason }) => ({ path, stage, reason }))).toEqual([
      { path: 'cut.png', stage: 'tag', reason: expect.stringMatching(/^cannot decode the image: /) },
      { path: 'cut.png', stage: 'embed', reason: expect.stringMatching(/^cannot decode the image: /) },
      { path: 'cut.png', stage: 'ocr', reason: expect.stringMatching(new RegExp(`^cannot decode ${cut}: `)) },
    ])
    expect((await store.listErrors('lib', 'cut.png')).map((error) => error.stage)).toEqual(['ocr'])
    const green = await store.findByPath('lib', 'green.png')
    expect(Object.keys(green?.tags ?? {})).toContain('green')
    expect(await readFile(cut)).toHaveLength(200)
  }, 120_000)

  it('reports a stage whose model cannot load disabled and runs the others', async () => {
    const config = configFor(join(dir, 'data'), lib, { general: 0.6, clipPath: join(dir, 'no-such-clip') })
    writeFileSync(join(lib, 'yellow.png'), await sharp({ create: { width: 300, height: 200, channels: 3, background: '#f5e11e' } }).png().toBuffer())
    await runImport(ctx(config), { folders: config.folders, concurrency: 2 })
    const results = await runModelStages(ctx(config))
    const byStage = Object.fromEntries(results.map((progress) => [progress.stage, progress]))
    expect(byStage.embed).toMatchObject({ state: 'disabled', processed: 0, reason: expect.stringContaining('no-such-clip') })
    expect(byStage.tag).toMatchObject({ state: 'idle', processed: names.length + 3 })
    expect(byStage.ocr).toMatchObject({ state: 'idle', processed: 1, failed: 0 })
  }, 120_000)
})
