import * as ort from 'onnxruntime-node'
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import { sessionOptionsFor, type DeviceInUse } from '../../models/execution-device'
import type { RecordedRun } from './ort-timing'

/** What a bare loop measured: wall time over all images and the part of it inside `session.run`. */
export interface LoopTiming {
  wallMs: number
  ortMs: number
}

export interface SessionSetup {
  threads: number
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all'
  /** The paddle engine's settings: no arena or memory pattern (workers/ocr/paddle/onnx-session.ts). */
  noArena?: boolean
  optimizedModelFilePath?: string
  /** The execution provider the stage ran on (`models.device` after any fallback); the CPU by default. */
  device?: DeviceInUse
}

export async function openBareSession(file: string, setup: SessionSetup): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(file, {
    ...sessionOptionsFor(setup.device ?? 'cpu'),
    graphOptimizationLevel: setup.graphOptimizationLevel ?? 'all',
    ...(setup.threads > 0 ? { intraOpNumThreads: setup.threads } : {}),
    ...(setup.noArena ? { enableCpuMemArena: false, enableMemPattern: false } : {}),
    ...(setup.optimizedModelFilePath ? { optimizedModelFilePath: setup.optimizedModelFilePath } : {}),
  })
}

/** WD14 v3 input: white-padded square, 448 px, BGR 0–255, NHWC. */
export async function taggerPixels(path: string, size: number): Promise<Float32Array> {
  const { data } = await sharp(path).flatten({ background: '#ffffff' }).resize(size, size, { fit: 'contain', background: '#ffffff' }).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const out = new Float32Array(size * size * 3)
  for (let i = 0; i < data.length; i += 3) {
    out[i] = data[i + 2]!
    out[i + 1] = data[i + 1]!
    out[i + 2] = data[i]!
  }
  return out
}

const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711]

/** CLIP input: shorter side 224, centre crop, normalised, NCHW. */
export async function clipPixels(path: string, size: number): Promise<Float32Array> {
  const { data } = await sharp(path).removeAlpha().resize(size, size, { fit: 'cover' }).raw().toBuffer({ resolveWithObject: true })
  return planar(data, size * size, CLIP_MEAN, CLIP_STD)
}

/** PP-OCR detector input: the recorded size, ImageNet-normalised, NCHW. */
export async function detectorPixels(path: string, width: number, height: number): Promise<Float32Array> {
  const { data } = await sharp(path).removeAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true })
  return planar(data, width * height, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
}

function planar(data: Buffer, pixels: number, mean: number[], std: number[]): Float32Array {
  const out = new Float32Array(pixels * 3)
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) out[c * pixels + p] = (data[p * 3 + c]! / 255 - mean[c]!) / std[c]!
  }
  return out
}

/**
 * The model runtime alone for an image model: decode with sharp, resize, pack, `session.run` in
 * batches, nothing else (no tag selection, no store, no overlap of decode with inference).
 */
export async function bareImageLoop(session: ort.InferenceSession, paths: readonly string[], batch: number, shape: { size: number; layout: 'nhwc' | 'nchw' }, pixels: (path: string) => Promise<Float32Array>): Promise<LoopTiming> {
  let ortMs = 0
  const start = performance.now()
  const per = shape.size * shape.size * 3
  for (let first = 0; first < paths.length; first += batch) {
    const chunk = paths.slice(first, first + batch)
    const input = new Float32Array(chunk.length * per)
    for (const [n, path] of chunk.entries()) input.set(await pixels(path), n * per)
    const dims = shape.layout === 'nhwc' ? [chunk.length, shape.size, shape.size, 3] : [chunk.length, 3, shape.size, shape.size]
    const runStart = performance.now()
    await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, dims) })
    ortMs += performance.now() - runStart
  }
  return { wallMs: performance.now() - start, ortMs }
}

/**
 * The model runtime alone for OCR: per image, decode and resize to the detector size the stage
 * used, then replay the stage's own sequence of detector, classifier and recogniser runs with the
 * same input shapes (zeros for the crops: a network's time does not depend on the values), on fresh
 * sessions with the same settings. What this leaves out (DB box extraction, crops, CTC decoding,
 * reading order) is the stage's own work.
 */
export async function bareOcrLoop(runs: readonly RecordedRun[], paths: readonly string[], setup: SessionSetup, detFile: string): Promise<LoopTiming> {
  const sessions = new Map<string, ort.InferenceSession>()
  for (const file of new Set(runs.map((run) => run.file).filter((file): file is string => file !== undefined))) sessions.set(file, await openBareSession(file, setup))
  // Each detector run starts the next image's sequence.
  const perImage: RecordedRun[][] = []
  for (const run of runs) {
    if (run.file === detFile) perImage.push([])
    perImage.at(-1)?.push(run)
  }
  if (perImage.length !== paths.length) throw new Error(`OCR: ${perImage.length} detector runs recorded for ${paths.length} images`)
  let ortMs = 0
  const start = performance.now()
  for (const [index, sequence] of perImage.entries()) {
    for (const run of sequence) {
      const session = sessions.get(run.file!)!
      const feeds: Record<string, ort.Tensor> = {}
      for (const [name, dims] of Object.entries(run.shapes)) {
        const size = dims.reduce((a, b) => a * b, 1)
        if (run.file === detFile) feeds[name] = new ort.Tensor('float32', await detectorPixels(paths[index]!, dims[3]!, dims[2]!), dims)
        else feeds[name] = new ort.Tensor('float32', new Float32Array(size), dims)
      }
      const runStart = performance.now()
      await session.run(feeds)
      ortMs += performance.now() - runStart
    }
  }
  const wallMs = performance.now() - start
  for (const session of sessions.values()) await session.release()
  return { wallMs, ortMs }
}
