// Distributed model workers: images/s of the tagger stage with one `sagasu worker --stages tag`
// process against two at once over the same library, each held to `--threads` onnxruntime threads
// (bench/distributed-worker.ts), so that two workers on a 2-core machine use what one worker with
// one thread leaves idle. Work comes through the stage leases (Store.claimStageWork).
// The tagger is the real-size WD14 ViT stand-in when it is there (.cache/real-size-models/, built by
// the stand-in script of issue 16), else the fixture tagger (the report says which).
// Usage: npm run bench:distributed -- [--count 16] [--threads 1] [--chunk 1] [--model <tagger folder>] [--work bench/.work]
// Prints a Markdown section for BENCHMARKS.md.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { stringify } from 'yaml'
import { withTrustedSvg } from '../media/image-decoder'
import type { WorkerSummary } from '../workers/worker-loop'

const ROOT = resolve(import.meta.dirname, '..')
const REAL_SIZE = join(ROOT, '.cache/real-size-models/wd-vit-tagger-v3')
const FIXTURE = join(ROOT, 'test/fixtures/models/tiny-wd14')

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '16' },
    threads: { type: 'string', default: '1' },
    chunk: { type: 'string', default: '1' },
    model: { type: 'string' },
    work: { type: 'string', default: join(import.meta.dirname, '.work') },
  },
})
const count = Number(values.count)
if (!Number.isInteger(count) || count < 2) throw new Error('--count must be a whole number ≥ 2')
const model = resolve(values.model ?? (existsSync(REAL_SIZE) ? REAL_SIZE : FIXTURE))
if (!existsSync(model)) throw new Error(`no tagger at ${model}`)
const log = (message: string) => process.stderr.write(`${message}\n`)

const work = resolve(values.work)
const library = join(work, `distributed-${count}`)
await makeImages()

interface Run {
  workers: number
  wallSeconds: number
  /** Images per second from the first image marked done to the last (model loading left out). */
  steadyRate: number
  perWorker: number[]
  cpuSeconds: number[]
  /** CPU seconds per image from each worker's first inference on, all workers together. */
  cpuPerImage: number
  load: [number, number]
}

const runs: Run[] = []
for (const workers of [1, 2, 1, 2]) runs.push(await measure(workers))
const best = (n: number) => Math.max(...runs.filter((run) => run.workers === n).map((run) => run.steadyRate))

const modelLabel = model === FIXTURE ? `the fixture tagger (tiny-wd14)${values.model ? '' : ': the real-size stand-in was not built'}` : `${model.split('/').pop()} (${model === REAL_SIZE ? 'real-size stand-in' : model})`
const lines = [
  `### Distributed model workers (${new Date().toISOString().slice(0, 10)})`,
  '',
  `\`npm run bench:distributed -- --count ${count} --threads ${values.threads} --chunk ${values.chunk}${values.model ? ` --model ${values.model}` : ''}\`: ${count} images of 600–1600 px`,
  `through the tagger stage by \`sagasu worker --stages tag --once --chunk ${values.chunk}\` processes over one embedded store, each`,
  `process held to ${values.threads} onnxruntime thread(s); tagger: ${modelLabel}. ${cpus().length} cores (shared machine: load averages below).`,
  'Runs alternate one worker and two, each worker in a session of its own (setsid: the kernel schedules each session as one group);',
  'images/s is measured from the first image marked done to the last (model loading left out).',
  '',
  '| workers | images/s | wall s (with start and model load) | images per worker | CPU s per worker (all) | CPU s per image (from the first inference on) | load average (1 min) before → after |',
  '|---|---|---|---|---|---|---|',
  ...runs.map((run) => `| ${run.workers} | ${run.steadyRate.toFixed(3)} | ${run.wallSeconds.toFixed(1)} | ${run.perWorker.join(' + ')} | ${run.cpuSeconds.map((s) => s.toFixed(1)).join(', ')} | ${run.cpuPerImage.toFixed(2)} | ${run.load[0].toFixed(2)} → ${run.load[1].toFixed(2)} |`),
  '',
  `Best of each: one worker ${best(1).toFixed(3)} images/s, two workers ${best(2).toFixed(3)} images/s: **×${(best(2) / best(1)).toFixed(2)}**.`,
]
process.stdout.write(`${lines.join('\n')}\n`)

async function measure(workers: number): Promise<Run> {
  const dir = join(work, `distributed-run-${workers}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const config = join(dir, 'sagasu.config.yaml')
  writeFileSync(config, stringify({
    dataDir: join(dir, 'data'),
    folders: [{ name: 'lib', path: library }],
    watch: { enabled: false },
    // models.threads holds each worker's onnxruntime sessions to --threads intra-op threads.
    models: { tagger: { path: model }, clip: { enabled: false }, ocr: { enabled: false }, hubUrl: 'http://127.0.0.1:9', batchSize: 1, threads: Number(values.threads), device: 'cpu' },
  }))
  const imported = await child(['bin/sagasu.mjs', '--config', config, 'import', '--json'])
  if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`)
  const load0 = loadavg()[0]!
  const started = Date.now()
  log(`${workers} worker(s)…`)
  // Each worker in a session of its own, as workers started separately are: with the kernel's
  // autogroup scheduling (Linux's default on desktops and on this machine), one session's processes
  // share one session's part of the CPU, so two workers from one session would get no more than one.
  const results = await Promise.all(Array.from({ length: workers }, () => child([
    'bin/run-ts.mjs', 'bench/distributed-worker.ts', '--',
    '--config', config, 'worker', '--stages', 'tag', '--once', '--chunk', values.chunk!, '--json',
  ], { ownSession: true })))
  const wallSeconds = (Date.now() - started) / 1000
  const load1 = loadavg()[0]!
  for (const result of results) if (result.code !== 0) throw new Error(`a worker failed (${result.code}): ${result.stderr}`)
  const summaries = results.map((result) => JSON.parse(result.stdout) as WorkerSummary)
  const perWorker = summaries.map((summary) => summary.stages?.tag?.processed ?? 0)
  if (perWorker.reduce((a, b) => a + b, 0) !== count) throw new Error(`the workers tagged ${perWorker.join(' + ')} images, not ${count}`)
  const db = new Database(join(dir, 'data', 'sagasu.db'), { readonly: true })
  const marks = db.prepare<[], number>("SELECT done_at FROM image_stages WHERE stage = 'tag' ORDER BY done_at").pluck().all()
  db.close()
  // The first mark ends the first image's inference; from there on, count - 1 images in (last - first).
  const steadyRate = (marks.length - 1) / Math.max(0.001, (marks.at(-1)! - marks[0]!) / 1000)
  const cpuSeconds = results.map((result) => Number(/(?:^|\n)cpu ([\d.]+)/.exec(result.stderr)?.[1] ?? Number.NaN))
  const inferenceCpu = results.map((result) => Number(/inference-cpu ([\d.]+)/.exec(result.stderr)?.[1] ?? Number.NaN))
  const cpuPerImage = inferenceCpu.reduce((a, b) => a + b, 0) / count
  log(`${workers} worker(s): ${steadyRate.toFixed(3)} images/s (${perWorker.join(' + ')} images, ${wallSeconds.toFixed(1)} s)`)
  return { workers, wallSeconds, steadyRate, perWorker, cpuSeconds, cpuPerImage, load: [load0, load1] }
}

function child(args: string[], options: { ownSession?: boolean } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveChild, reject) => {
    const proc = spawn(process.execPath, args, {
      cwd: ROOT, env: { ...process.env, SAGASU_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownSession === true,
    })
    let stdout = ''
    let stderr = ''
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    proc.on('error', reject)
    proc.on('close', (code) => resolveChild({ code, stdout, stderr }))
  })
}

async function makeImages(): Promise<void> {
  mkdirSync(library, { recursive: true })
  let seed = 4242
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  for (let i = 0; i < count; i++) {
    const width = Math.round(600 + random() * 1000)
    const height = Math.round(600 + random() * 1000)
    const path = join(library, `${i}.${i % 2 === 0 ? 'png' : 'jpg'}`)
    if (existsSync(path)) continue
    const colour = { r: Math.round(random() * 255), g: Math.round(random() * 255), b: Math.round(random() * 255) }
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff" stop-opacity="0.8"/><stop offset="1" stop-color="#000" stop-opacity="0.3"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="rgb(${colour.g},${colour.b},${colour.r})"/></svg>`
    // The SVG loader is blocked for everything but Sagasu's own drawings (media/image-decoder.ts).
    await withTrustedSvg(() => sharp({ create: { width, height, channels: 3, background: colour } }).composite([{ input: Buffer.from(svg) }]).toFile(path))
  }
}
