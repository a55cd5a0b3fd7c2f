/**
 * SIGTERM ends `sagasu serve` within seconds whatever it is doing — importing right after start,
 * running OCR with the jobs page's event stream open — and what it had not finished is done by the
 * next start: nothing is lost.
 *
 * The one bound on time here is the issue's own requirement ("within a few seconds"), checked with a
 * wide margin: before, the server took 30–70 s (Nitro waited 30 s for the open event stream, then up
 * to 30 s for the import thread and the model stages).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErrorRecord, JobsReport, SearchPage, StageProgress } from '../shared/types/api'
import { ROOT } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { eventually, startServer, type RunningServer } from './helpers/server'

/** Far more than "a few seconds" on a busy machine, far less than the 30 s of Nitro's old timeout. */
const STOP_BOUND_MS = 15_000
const PLAIN = 150
const TEXT = 30

/** Sends SIGTERM and waits for the process to end: how long it took, and how it ended. */
async function terminate(server: RunningServer): Promise<{ ms: number; code: number | null; signal: NodeJS.Signals | null }> {
  const child = server.process
  const started = Date.now()
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  child.kill('SIGTERM')
  // Bounded: a server that never ends is killed so the test run goes on, and fails below.
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000)
  const result = await ended
  clearTimeout(killer)
  process.stderr.write(`prompt-stop: the server ended ${Date.now() - started} ms after SIGTERM (${result.signal ?? `exit ${result.code}`})\n`)
  return { ms: Date.now() - started, ...result }
}

describe('stopping sagasu serve with SIGTERM', () => {
  const dir = tempDir('sagasu-stop-')
  const lib = join(dir, 'lib')
  let file: string
  let server: RunningServer | undefined

  const jobs = async (): Promise<JobsReport> => (await (await fetch(`${server!.url}/api/jobs`)).json()) as JobsReport
  const total = async (): Promise<number> => ((await (await fetch(`${server!.url}/api/search?limit=1`)).json()) as SearchPage).total
  const ocrOf = (report: JobsReport): StageProgress | undefined => report.stages.find((stage) => stage.stage === 'ocr')

  beforeAll(async () => {
    for (let i = 0; i < PLAIN; i++) await writeImage(join(lib, `plain/${i}.png`), { color: colorOf(i), width: 160, height: 120 })
    // Text to read, each file distinct (a border of its own colour), so OCR has real work per image.
    mkdirSync(join(lib, 'text'), { recursive: true })
    for (let i = 0; i < TEXT; i++) {
      await sharp(join(ROOT, 'test/fixtures/ocr/eng.png')).extend({ top: 8, bottom: 8, left: 8, right: 8, background: colorOf(1000 + i) }).png().toFile(join(lib, `text/${i}.png`))
    }
    file = writeConfig(dir, {
      dataDir: './data',
      folders: [{ name: 'lib', path: './lib' }],
      // One file at a time, so the first import is still running when the signal comes.
      import: { concurrency: 1 },
      watch: { rescanMinutes: 60 },
      models: { clip: { enabled: false }, tagger: { enabled: false }, ocr: { enabled: true, engine: 'tesseract', languages: ['eng'] }, hubUrl: 'http://127.0.0.1:9', hubTimeoutSeconds: 1 },
    })
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('ends within seconds while the first import runs, right after start', async () => {
    server = await startServer(['--config', file], { env: { SAGASU_MODELS: '' }, waitFor: /serving on/ })
    const report = await eventually(async () => {
      const current = await jobs()
      return current.import?.running && current.import.phase === 'index' && current.import.done > 0 ? current : undefined
    }, 120_000, 'the first import to be indexing')
    expect(report.import!.done).toBeLessThan(PLAIN + TEXT)
    const stopped = await terminate(server)
    expect(stopped.signal).toBeNull()
    expect(stopped.ms).toBeLessThan(STOP_BOUND_MS)
  })

  it('finishes that import at the next start: every file is indexed', async () => {
    server = await startServer(['--config', file], { env: { SAGASU_MODELS: '' } })
    expect(await total()).toBe(PLAIN + TEXT)
    const errors = ((await (await fetch(`${server.url}/api/errors`)).json()) as { errors: ErrorRecord[] }).errors
    expect(errors).toEqual([])
  })

  it('ends within seconds while OCR runs and the jobs page listens to its event stream', async () => {
    const running = await eventually(async () => {
      const ocr = ocrOf(await jobs())
      return ocr?.state === 'running' && ocr.done > 0 && ocr.pending > 0 ? ocr : undefined
    }, 180_000, 'OCR to be running')
    expect(running.pending).toBeGreaterThan(0)
    // What the jobs page holds open while it is shown.
    const events = await fetch(`${server!.url}/api/jobs/events`)
    expect(events.status).toBe(200)
    const reader = events.body!.getReader()
    await reader.read()
    const stopped = await terminate(server!)
    await reader.cancel().catch(() => undefined)
    expect(stopped.signal).toBeNull()
    expect(stopped.ms).toBeLessThan(STOP_BOUND_MS)
  })

  it('reads the rest at the next start: OCR done for every image, nothing failed', async () => {
    server = await startServer(['--config', file], { env: { SAGASU_MODELS: '' } })
    const ocr = await eventually(async () => {
      const stage = ocrOf(await jobs())
      return stage && stage.pending === 0 && stage.state === 'idle' ? stage : undefined
    }, 300_000, 'OCR to finish')
    expect(ocr).toMatchObject({ done: PLAIN + TEXT, pending: 0 })
    expect(await total()).toBe(PLAIN + TEXT)
    const errors = ((await (await fetch(`${server!.url}/api/errors`)).json()) as { errors: ErrorRecord[] }).errors
    expect(errors).toEqual([])
  })
})
