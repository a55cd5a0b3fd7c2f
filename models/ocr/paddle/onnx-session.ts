import * as ort from 'onnxruntime-node'
import { existsSync } from 'node:fs'
import type { ModelDevice } from '../../../config/schema'
import { openOnDevice, sessionOptionsFor } from '../../execution-device'
import { ModelLoadError, cannotLoad } from '../../model-load-error'

export interface SessionSettings {
  /** onnxruntime's intra-op threads; 0 lets it choose. */
  threads: number
  /** `models.device`; the CPU when left out. */
  device?: ModelDevice
}

/** One ONNX session, created once per engine; a missing or unreadable file disables OCR with one line naming it. */
export async function openSession(file: string, settings: SessionSettings): Promise<ort.InferenceSession> {
  if (!existsSync(file)) throw new ModelLoadError('ocr', `${file} does not exist`)
  try {
    const { value } = await openOnDevice('ocr', settings.device ?? 'cpu', (device) => ort.InferenceSession.create(file, {
      ...sessionOptionsFor(device),
      graphOptimizationLevel: 'all',
      // Every image has its own input shape: the arena and memory patterns keep the largest
      // shape's buffers for good (RSS 650 MB on a manga page, 380 MB without, no slower).
      enableCpuMemArena: false,
      enableMemPattern: false,
      ...(settings.threads > 0 ? { intraOpNumThreads: settings.threads } : {}),
    }))
    return value
  } catch (error) {
    throw new ModelLoadError('ocr', cannotLoad(file, error), { cause: error })
  }
}

/** The first output of a run as float32 with its dims, or an error naming the model file. */
export function floatOutput(outputs: ort.InferenceSession.OnnxValueMapType, session: ort.InferenceSession, file: string): { data: Float32Array; dims: readonly number[] } {
  const tensor = outputs[session.outputNames[0]!]
  if (!tensor || !(tensor.data instanceof Float32Array)) throw new Error(`${file} gave no float32 output`)
  return { data: tensor.data, dims: tensor.dims }
}
