// Model pipeline benchmark: images/s through decode + resize + inference with the fixture models
// (tiny WD14 tagger, tiny DeepDanbooru tagger, tiny CLIP), and where the time per image goes:
// inside onnxruntime's session.run, and in our own JavaScript on the main thread (NHWC packing,
// tag selection, bookkeeping). Decoding and resizing run on libvips threads, overlapped with inference.
// Usage: npm run bench:pipeline -- [--count 96] [--batch 8] [--min-side 600] [--max-side 1600] [--work bench/.work]
// At real size (random-weight stand-ins of the real architectures, issue 16; never part of the tests):
//   npm run bench:pipeline -- --real-size [--models .cache/real-size-models] [--tagger wd-swinv2-tagger-v3]
//     [--count 16] [--batch 8] [--threads 0] [--precision fp32|int8]
//   npm run bench:pipeline -- --tune [--models …] [--count 8]   (threads × batch × precision, agreement, graph optimisation)
// Prints a Markdown section for BENCHMARKS.md.
import { existsSync, mkdirSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import { configSchema, MODEL_DEVICES } from '../config/schema'
import type { BatchItem } from '../workers/stage'
import { ClipStage } from '../workers/models/clip.stage'
import { ModelRegistry } from '../models/model-registry'
import { TaggerStage } from '../workers/models/tagger.stage'
import { withTrustedSvg } from '../media/image-decoder'
import { installOrtTiming, ortMilliseconds } from './pipeline/ort-timing'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '96' },
    batch: { type: 'string', default: '8' },
    'min-side': { type: 'string', default: '600' },
    'max-side': { type: 'string', default: '1600' },
    work: { type: 'string', default: join(import.meta.dirname, '.work') },
    device: { type: 'string', default: 'cpu' }, // models.device: auto, cpu, cuda, dml, coreml (docs/models.md#gpu)
    'real-size': { type: 'boolean', default: false },
    tune: { type: 'boolean', default: false },
    models: { type: 'string', default: '.cache/real-size-models' },
    tagger: { type: 'string', default: 'wd-swinv2-tagger-v3' },
    threads: { type: 'string', default: '0' },
    precision: { type: 'string', default: 'fp32' },
  },
})
if (values['real-size'] || values.tune) {
  const threads = Number(values.threads)
  if (!Number.isInteger(threads) || threads < 0) throw new Error('--threads must be a whole number ≥ 0 (0: onnxruntime chooses)')
  if (values.precision !== 'fp32' && values.precision !== 'int8') throw new Error('--precision must be fp32 or int8')
  const device = MODEL_DEVICES.find((name) => name === values.device)
  if (!device) throw new Error(`--device must be one of ${MODEL_DEVICES.join(', ')}`)
  const options = {
    models: resolve(values.models),
    tagger: values.tagger,
    // Real-size models take seconds per image on 2 cores: a small default count.
    count: values.count === '96' ? (values.tune ? 8 : 16) : Number(values.count),
    batch: Number(values.batch),
    threads,
    precision: values.precision,
    device,
    work: resolve(values.work),
  } as const
  if (!Number.isInteger(options.count) || options.count < 1) throw new Error('--count must be a whole number ≥ 1')
  const section = values.tune
    ? await (await import('./pipeline/tuning')).runTuning(options)
    : await (await import('./pipeline/real-size')).runRealSize(options)
  console.log(section)
  process.exit(0)
}
const count = Number(values.count)
const batchSize = Number(values.batch)
const minSide = Number(values['min-side'])
const maxSide = Number(values['max-side'])
if (!Number.isInteger(count) || count < 1) throw new Error('--count must be a whole number ≥ 1')
if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('--batch must be a whole number ≥ 1')
const log = (message: string) => process.stderr.write(`${message}\n`)

// Time spent inside onnxruntime, for every session (ours and transformers.js's).
installOrtTiming()

const imageDir = join(resolve(values.work), `pipeline-${count}-${minSide}-${maxSide}`)
const items = await makeImages()
const models = resolve('test/fixtures/models')
const rows: string[] = []
for (const [label, stage] of [
  ['WD14 tagger (448, BGR)', new TaggerStage(config({ tagger: join(models, 'tiny-wd14') }), new ModelRegistry(0))],
  ['DeepDanbooru tagger (512, RGB, edge pad)', new TaggerStage(config({ tagger: join(models, 'tiny-deepdanbooru') }), new ModelRegistry(0))],
  ['CLIP image tower (224)', new ClipStage(config({ clip: join(models, 'tiny-clip') }), new ModelRegistry(0))],
] as const) {
  await stage.load()
  await stage.run(items.slice(0, Math.min(items.length, batchSize))) // warm-up
  const ortStart = ortMilliseconds()
  const cpuStart = process.cpuUsage()
  const loopStart = performance.eventLoopUtilization()
  const start = performance.now()
  const outcomes = await stage.run(items)
  const wall = performance.now() - start
  const cpu = process.cpuUsage(cpuStart)
  const ortMs = ortMilliseconds() - ortStart
  // The main thread's busy time: our JavaScript plus onnxruntime's run, which is synchronous in onnxruntime-node 1.21.
  const mainThreadMs = performance.eventLoopUtilization(loopStart).active
  const failed = outcomes.filter((outcome) => outcome.status !== 'done').length
  if (failed > 0) throw new Error(`${label}: ${failed} images failed`)
  await stage.unload()
  const perImage = (ms: number) => (ms / count).toFixed(2)
  log(`${label}: ${(count / (wall / 1000)).toFixed(1)} images/s`)
  rows.push(`| ${label} | ${(count / (wall / 1000)).toFixed(1)} | ${perImage(wall)} ms | ${perImage(ortMs)} ms | ${perImage(wall - ortMs)} ms | ${perImage(Math.max(0, mainThreadMs - ortMs))} ms | ${perImage((cpu.user + cpu.system) / 1000)} ms |`)
}

console.log(`### Model pipeline (fixture models)

${count} generated PNG/JPEG images of ${minSide}–${maxSide} px a side, batches of ${batchSize}, one run after a warm-up batch.
Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${loadavg()[0]!.toFixed(1)} at the end (shared with other work).

| model | images/s | wall per image | in onnxruntime | outside onnxruntime (wall) | our code on the main thread | process CPU, all threads |
|---|---|---|---|---|---|---|
${rows.join('\n')}

"Outside onnxruntime (wall)" is the time not spent in \`session.run\`: decoding and resizing on libvips
threads that inference did not hide, plus JavaScript. "Our code on the main thread" is the event loop's
busy time minus onnxruntime's (tensor packing, tag selection, transformers.js's crop and normalisation
for CLIP): the per-image cost Sagasu adds besides decoding and the model. All figures per image.`)

function config(models: { tagger?: string; clip?: string }) {
  return configSchema.parse({
    dataDir: join(resolve(values.work), 'pipeline-data'),
    models: {
      batchSize,
      device: values.device,
      tagger: models.tagger ? { path: models.tagger } : {},
      clip: models.clip ? { path: models.clip } : {},
    },
  })
}

async function makeImages(): Promise<BatchItem[]> {
  mkdirSync(imageDir, { recursive: true })
  const list: BatchItem[] = []
  let seed = 12345
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  for (let i = 0; i < count; i++) {
    const width = Math.round(minSide + random() * (maxSide - minSide))
    const height = Math.round(minSide + random() * (maxSide - minSide))
    const path = join(imageDir, `${i}.${i % 2 === 0 ? 'png' : 'jpg'}`)
    if (!existsSync(path)) {
      const colour = { r: Math.round(random() * 255), g: Math.round(random() * 255), b: Math.round(random() * 255) }
      // A gradient overlay so the encoders have real work, not a flat colour.
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff" stop-opacity="0.8"/><stop offset="1" stop-color="#000" stop-opacity="0.3"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="rgb(${colour.g},${colour.b},${colour.r})"/></svg>`
      // The SVG loader is blocked for everything but Sagasu's own drawings (media/image-decoder.ts).
      await withTrustedSvg(() => sharp({ create: { width, height, channels: 3, background: colour } }).composite([{ input: Buffer.from(svg) }]).toFile(path))
    }
    list.push({ imageId: i + 1, hash: String(i), absPath: path })
  }
  return list
}
