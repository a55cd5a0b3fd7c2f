// `npm run bench:pipeline -- --tune`: the settings of issue 16, item 3, measured on the real-size
// stand-ins with inputs packed once (so only `session.run` is timed): intra-op threads × batch,
// fp32 against int8 (speed and agreement on the same inputs), graph optimisation levels and a saved
// optimised model's load time.
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import * as ort from 'onnxruntime-node'
import { quantizedFile } from '../../models/runtime-settings'
import { ocrModelFolder } from '../../test/helpers/ocr-models'
import { clipPixels, openBareSession, taggerPixels, type SessionSetup } from './bare-loops'
import { makeIllustrations } from './illustrations'
import type { RealSizeOptions } from './real-size'

const TAGGERS = ['wd-swinv2-tagger-v3', 'wd-vit-tagger-v3', 'wd-convnext-tagger-v3']
const log = (message: string) => process.stderr.write(`${message}\n`)

interface ImageModel {
  label: string
  file: string
  size: number
  layout: 'nhwc' | 'nchw'
  inputs: Float32Array[]
}

interface Timed {
  msPerImage: number
  outputs: Float32Array[]
}

export async function runTuning(options: RealSizeOptions): Promise<string> {
  const loadBefore = loadavg()[0]!
  const paths = await makeIllustrations(join(options.work, `real-size-${options.count}`), options.count)
  const clipFile = join(options.models, 'clip-vit-base-patch32/onnx/vision_model.onnx')
  const models: ImageModel[] = []
  for (const name of TAGGERS) {
    const file = join(options.models, name, 'model.onnx')
    if (existsSync(file)) models.push({ label: name, file, size: 448, layout: 'nhwc', inputs: await Promise.all(paths.map((path) => taggerPixels(path, 448))) })
    else log(`${file} is missing: ${name} left out`)
  }
  if (!existsSync(clipFile)) throw new Error(`${clipFile} is missing: build the real-size stand-ins first (issue 16, item 1) or pass --models DIR`)
  models.push({ label: 'clip-vit-base-patch32 (image tower)', file: clipFile, size: 224, layout: 'nchw', inputs: await Promise.all(paths.map((path) => clipPixels(path, 224))) })
  const main = models.find((model) => model.label === options.tagger) ?? models[0]!
  const clip = models.at(-1)!
  const sections: string[] = []

  // 1. Threads × batch, fp32, on the chosen tagger and CLIP.
  const matrixRows: string[] = []
  for (const model of [main, clip]) {
    for (const threads of [1, 2]) {
      for (const batch of [1, 4, 8]) {
        log(`threads ${threads}, batch ${batch}: ${model.label}`)
        const { msPerImage } = await timeModel(model, model.file, { threads }, batch)
        matrixRows.push(`| ${model.label} | ${threads} | ${batch} | ${(1000 / msPerImage).toFixed(2)} | ${msPerImage.toFixed(0)} ms |`)
      }
    }
  }
  sections.push(`#### Intra-op threads × batch (fp32, only \`session.run\` timed)

| model | intra-op threads | batch | images/s | per image |
|---|---|---|---|---|
${matrixRows.join('\n')}`)

  // 2. fp32 against int8 on every model: speed, agreement, hours per 100,000.
  const precisionRows: string[] = []
  for (const model of models) {
    const quantized = quantizedFile(model.file)
    if (!existsSync(quantized)) {
      log(`${quantized} is missing: no int8 figures for ${model.label}`)
      continue
    }
    log(`fp32 vs int8: ${model.label}`)
    const fp32 = await timeModel(model, model.file, { threads: options.threads }, options.batch)
    const int8 = await timeModel(model, quantized, { threads: options.threads }, options.batch)
    const agreement = model.layout === 'nhwc' ? taggerAgreement(fp32.outputs, int8.outputs) : clipAgreement(fp32.outputs, int8.outputs)
    const hours = (ms: number) => ((100_000 * ms) / 1000 / 3600).toFixed(1)
    precisionRows.push(`| ${model.label} | ${(1000 / fp32.msPerImage).toFixed(2)} | ${(1000 / int8.msPerImage).toFixed(2)} | ${(fp32.msPerImage / int8.msPerImage).toFixed(2)}× | ${hours(fp32.msPerImage)} | ${hours(int8.msPerImage)} | ${agreement} |`)
  }
  sections.push(`#### fp32 against int8 (threads ${options.threads || 'onnxruntime default'}, batch ${options.batch}, same inputs)

| model | fp32 images/s | int8 images/s | speed-up | fp32 hours per 100,000 | int8 hours per 100,000 | agreement |
|---|---|---|---|---|---|---|
${precisionRows.join('\n')}`)

  // 3. Graph optimisation levels, and loading a saved optimised graph instead of optimising again.
  const graphRows: string[] = []
  const ocr = ocrModelFolder()
  const scratch = join(options.work, 'optimised-graphs')
  rmSync(scratch, { recursive: true, force: true })
  mkdirSync(scratch, { recursive: true })
  const graphModels = [main, clip]
  for (const model of graphModels) {
    for (const level of ['basic', 'extended', 'all'] as const) {
      log(`graph optimisation ${level}: ${model.label}`)
      const loadStart = performance.now()
      const session = await openBareSession(model.file, { threads: options.threads, graphOptimizationLevel: level })
      const loadMs = performance.now() - loadStart
      const { msPerImage } = await timeSession(session, model, Math.min(4, model.inputs.length))
      await session.release()
      graphRows.push(`| ${model.label} | ${level} | ${(loadMs / 1000).toFixed(2)} s | ${msPerImage.toFixed(0)} ms |`)
    }
    const saved = join(scratch, `${model.label.replace(/\W+/g, '-')}.onnx`)
    const saveStart = performance.now()
    await (await openBareSession(model.file, { threads: options.threads, optimizedModelFilePath: saved })).release()
    const saveMs = performance.now() - saveStart
    const loadStart = performance.now()
    const session = await openBareSession(saved, { threads: options.threads, graphOptimizationLevel: 'disabled' })
    const loadMs = performance.now() - loadStart
    const { msPerImage } = await timeSession(session, model, Math.min(4, model.inputs.length))
    await session.release()
    graphRows.push(`| ${model.label} | saved 'all' graph, loaded with optimisation off (saving took ${(saveMs / 1000).toFixed(1)} s) | ${(loadMs / 1000).toFixed(2)} s | ${msPerImage.toFixed(0)} ms |`)
  }
  for (const file of ['det.onnx', 'rec.onnx']) {
    for (const level of ['basic', 'extended', 'all'] as const) {
      const loadStart = performance.now()
      const session = await openBareSession(join(ocr, file), { threads: options.threads, graphOptimizationLevel: level, noArena: true })
      graphRows.push(`| PP-OCRv5 ${file} | ${level} | ${((performance.now() - loadStart) / 1000).toFixed(2)} s | (load only) |`)
      await session.release()
    }
  }
  sections.push(`#### Graph optimisation (threads ${options.threads || 'onnxruntime default'}, batch ${Math.min(4, options.count)})

| model | level | session load | per image |
|---|---|---|---|
${graphRows.join('\n')}`)
  rmSync(scratch, { recursive: true, force: true })

  const cpu = cpus()
  return `### Models at real size: settings (\`npm run bench:pipeline -- --tune\`)

Command: \`npm run bench:pipeline -- --tune --models ${options.models} --tagger ${options.tagger} --count ${options.count} --batch ${options.batch} --threads ${options.threads}\`
Machine: ${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'}), Node ${process.version}, onnxruntime-node ${ort.env.versions.common}, load average ${loadBefore.toFixed(1)} before and ${loadavg()[0]!.toFixed(1)} after (the machine is shared with other work).
${options.count} generated 1–2 MP illustrations, decoded, resized and packed once; each figure is one pass over them after a one-image warm-up.

${sections.join('\n\n')}

Agreement: taggers, the largest |Δ probability| over every tag of every image and the mean share of
the fp32 top 20 tags found in the int8 top 20; CLIP, the cosine between the fp32 and int8 embeddings
(smallest and mean).`
}

async function timeModel(model: ImageModel, file: string, setup: SessionSetup, batch: number): Promise<Timed> {
  const session = await openBareSession(file, setup)
  try {
    return await timeSession(session, model, batch)
  } finally {
    await session.release()
  }
}

async function timeSession(session: ort.InferenceSession, model: ImageModel, batch: number): Promise<Timed> {
  const per = model.size * model.size * 3
  const dims = (n: number) => (model.layout === 'nhwc' ? [n, model.size, model.size, 3] : [n, 3, model.size, model.size])
  const input = session.inputNames[0]!
  // CLIP's vision export has image_embeds and last_hidden_state: the embedding is what the stage keeps.
  const output = session.outputNames.includes('image_embeds') ? 'image_embeds' : session.outputNames[0]!
  await session.run({ [input]: new ort.Tensor('float32', model.inputs[0]!, dims(1)) })
  const outputs: Float32Array[] = []
  const start = performance.now()
  for (let first = 0; first < model.inputs.length; first += batch) {
    const chunk = model.inputs.slice(first, first + batch)
    const data = new Float32Array(chunk.length * per)
    chunk.forEach((pixels, n) => data.set(pixels, n * per))
    const result = (await session.run({ [input]: new ort.Tensor('float32', data, dims(chunk.length)) }))[output]!
    const values = result.data as Float32Array
    const width = values.length / chunk.length
    for (let n = 0; n < chunk.length; n++) outputs.push(values.slice(n * width, (n + 1) * width))
  }
  return { msPerImage: (performance.now() - start) / model.inputs.length, outputs }
}

function taggerAgreement(fp32: Float32Array[], int8: Float32Array[]): string {
  let maxDelta = 0
  let overlap = 0
  fp32.forEach((scores, n) => {
    const other = int8[n]!
    for (let i = 0; i < scores.length; i++) maxDelta = Math.max(maxDelta, Math.abs(scores[i]! - other[i]!))
    const top = (values: Float32Array) => new Set([...values.keys()].sort((a, b) => values[b]! - values[a]!).slice(0, 20))
    const a = top(scores)
    overlap += [...top(other)].filter((index) => a.has(index)).length / 20
  })
  return `max \\|Δp\\| ${maxDelta.toFixed(4)}, top-20 overlap ${((overlap / fp32.length) * 100).toFixed(0)} %`
}

function clipAgreement(fp32: Float32Array[], int8: Float32Array[]): string {
  const cosines = fp32.map((a, n) => {
    const b = int8[n]!
    let dot = 0, na = 0, nb = 0
    for (let i = 0; i < a.length; i++) {
      dot += a[i]! * b[i]!
      na += a[i]! * a[i]!
      nb += b[i]! * b[i]!
    }
    return dot / Math.sqrt(na * nb)
  })
  return `cosine min ${Math.min(...cosines).toFixed(4)}, mean ${(cosines.reduce((s, c) => s + c, 0) / cosines.length).toFixed(4)}`
}
