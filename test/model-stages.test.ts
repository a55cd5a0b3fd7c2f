/**
 * The model stages inside the import pipeline, end to end with the fixture models (real
 * onnxruntime, real tesseract.js): `sagasu import --wait` tags and reads every image, a second run
 * has nothing left to do, new settings make the work pending again, a failure becomes an error
 * record; the server runs the same stages in the background and reports them at GET /api/jobs.
 */
import { copyFileSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportCounts, JobsReport, SearchPage, StageProgress } from '../shared/types/api'
import { ROOT, runCliJson } from './helpers/cli'
import { tempDir, writeConfig, writeImage } from './helpers/library'
import { startServer, type RunningServer } from './helpers/server'
import { ocrModelFolder } from './helpers/ocr-models'

const FIXTURES = join(ROOT, 'test/fixtures')

function config(dir: string, library: string, overrides: { general?: number; ocr?: boolean } = {}) {
  return writeConfig(dir, {
    dataDir: join(dir, 'data'),
    folders: [{ name: 'lib', path: library }],
    watch: { enabled: true, rescanMinutes: 0 },
    models: {
      clip: { enabled: false },
      tagger: { path: join(FIXTURES, 'models/tiny-wd14') },
      // The default engine (paddle) with the real PP-OCRv5 models npm run test:deps converts.
      ocr: { enabled: overrides.ocr ?? true, model: { path: ocrModelFolder() } },
      hubUrl: 'http://127.0.0.1:9',
      hubTimeoutSeconds: 1,
      batchSize: 2,
    },
    thresholds: { general: overrides.general ?? 0.35, character: 0.85 },
  })
}

async function makeLibrary(library: string): Promise<void> {
  await writeImage(join(library, 'red.png'), { color: '#ff0000' })
  await writeImage(join(library, 'green.png'), { color: '#00ff00' })
  await writeImage(join(library, 'blue.png'), { color: '#0000ff' })
  mkdirSync(join(library, 'text'), { recursive: true })
  copyFileSync(join(FIXTURES, 'ocr/eng.png'), join(library, 'text/eng.png'))
}

type WaitedImport = ImportCounts & { stages: StageProgress[] }

describe('model stages in the import pipeline (CLI)', () => {
  const dir = tempDir('sagasu-models-')
  const library = join(dir, 'library')
  let file: string

  beforeAll(async () => {
    await makeLibrary(library)
    file = config(dir, library)
  })

  it('import --wait tags every image and reads its text; both are searchable', async () => {
    const { code, body } = await runCliJson<WaitedImport>(['--config', file, 'import', '--wait'])
    expect(code).toBe(0)
    expect(body.added).toBe(4)
    const byStage = Object.fromEntries(body.stages.map((stage) => [stage.stage, stage]))
    expect(byStage.tag).toMatchObject({ state: 'idle', processed: 4, failed: 0, done: 4, pending: 0 })
    expect(byStage.ocr).toMatchObject({ state: 'idle', processed: 4, failed: 0, done: 4, pending: 0 })
    for (const colour of ['red', 'green', 'blue']) {
      const found = await runCliJson<SearchPage>(['--config', file, 'search', '--query', `tags.${colour};>=0.5`])
      expect(found.body.results.map((image) => image.path), colour).toEqual([`${colour}.png`])
      expect(found.body.results[0]!.tags?.[colour]).toBeGreaterThanOrEqual(0.5)
    }
    const text = await runCliJson<SearchPage>(['--config', file, 'search', '--query', 'm;station'])
    expect(text.body.results.map((image) => image.path)).toEqual(['text/eng.png'])
    expect(text.body.results[0]!.text).toMatch(/Hello Sagasu/)
  })

  it('has nothing left to do on a second run, and redoes the tags when the thresholds change', async () => {
    const again = await runCliJson<WaitedImport>(['--config', file, 'import', '--wait'])
    expect(again.body.stages.map((stage) => [stage.stage, stage.processed])).toEqual([['tag', 0], ['ocr', 0]])
    const stricter = config(dir, library, { general: 0.99 })
    const redone = await runCliJson<WaitedImport>(['--config', stricter, 'import', '--wait'])
    expect(redone.body.stages.map((stage) => [stage.stage, stage.processed])).toEqual([['tag', 4], ['ocr', 0]])
    const red = await runCliJson<SearchPage>(['--config', stricter, 'search', '--query', 'path;="red.png"'])
    const tags = Object.entries(red.body.results[0]!.tags ?? {})
    expect(tags.some(([name]) => name.startsWith('rating:'))).toBe(true)
    for (const [name, score] of tags) if (!name.startsWith('rating:')) expect(score, name).toBeGreaterThanOrEqual(0.99)
  })

  it('records an error for an image a stage cannot read, and goes on with the others', async () => {
    const other = tempDir('sagasu-models-fail-')
    const lib = join(other, 'library')
    await makeLibrary(lib)
    const otherConfig = config(other, lib, { ocr: false })
    expect((await runCliJson<ImportCounts>(['--config', otherConfig, 'import'])).body.added).toBe(4)
    // Damaged after the import with its size and mtime kept, so the import sees no change but the tagger cannot decode it.
    const green = join(lib, 'green.png')
    const { size, mtime } = statSync(green)
    writeFileSync(green, Buffer.alloc(size, 7))
    utimesSync(green, mtime, mtime)
    const { body } = await runCliJson<WaitedImport>(['--config', otherConfig, 'import', '--wait'])
    expect(body.stages).toEqual([expect.objectContaining({ stage: 'tag', processed: 4, failed: 1, done: 4, pending: 0 })])
    const errors = await runCliJson<{ errors: Array<{ path: string; stage: string; reason: string }> }>(['--config', otherConfig, 'errors'])
    expect(errors.body.errors).toEqual([expect.objectContaining({ path: 'green.png', stage: 'tag' })])
    expect(errors.body.errors[0]!.reason.length).toBeGreaterThan(5)
    const tagged = await runCliJson<SearchPage>(['--config', otherConfig, 'search', '--query', 'tags'])
    expect(tagged.body.results.map((image) => image.path).sort()).toEqual(['blue.png', 'red.png', 'text/eng.png'])
  })
})

describe('model stages in the server', () => {
  let server: RunningServer
  const dir = tempDir('sagasu-models-server-')
  const library = join(dir, 'library')

  beforeAll(async () => {
    await makeLibrary(library)
    server = await startServer(['--config', config(dir, library)], { env: { SAGASU_MODELS: '' } })
  })
  afterAll(() => server?.stop())

  it('runs them in the background after the import and reports them at GET /api/jobs', async () => {
    let jobs: JobsReport | undefined
    for (let tries = 0; tries < 300; tries++) {
      jobs = await (await fetch(`${server.url}/api/jobs`)).json() as JobsReport
      if (jobs.stages.every((stage) => stage.pending === 0 && stage.state === 'idle')) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(jobs!.stages).toEqual([
      expect.objectContaining({ stage: 'tag', state: 'idle', done: 4, pending: 0, failed: 0 }),
      expect.objectContaining({ stage: 'ocr', state: 'idle', done: 4, pending: 0, failed: 0 }),
    ])
    expect(jobs!.files).toEqual({ pending: 0, running: 0, failed: 0 })
    const page = await (await fetch(`${server.url}/api/search?q=${encodeURIComponent('tags.blue;>=0.5')}`)).json() as SearchPage
    expect(page.results.map((image) => image.path)).toEqual(['blue.png'])
    const text = await (await fetch(`${server.url}/api/search?q=${encodeURIComponent('m;station')}`)).json() as SearchPage
    expect(text.results.map((image) => image.path)).toEqual(['text/eng.png'])
  })

  it('picks up a new file: imported by the watcher, then tagged', async () => {
    await writeImage(join(library, 'red2.png'), { color: '#ee0000', width: 70 })
    let page: SearchPage | undefined
    for (let tries = 0; tries < 600; tries++) {
      page = await (await fetch(`${server.url}/api/search?q=${encodeURIComponent('tags.red;>=0.5')}`)).json() as SearchPage
      if (page.total === 2) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(page!.results.map((image) => image.path).sort(), server.output()).toEqual(['red.png', 'red2.png'])
  }, 90_000)
})
