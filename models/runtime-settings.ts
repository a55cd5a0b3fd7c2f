import { existsSync } from 'node:fs'
import type { ModelDevice, ModelPrecision, SagasuConfig } from '../config/schema'
import { ModelLoadError } from './model-load-error'

/** How a model's onnxruntime sessions are set up, from `models.threads`, `models.device` and the model's `precision`. */
export interface RuntimeSettings {
  /** Intra-op threads per session; 0 lets onnxruntime choose (one per physical core). */
  threads: number
  precision: ModelPrecision
  /** The execution provider asked for (`execution-device.ts` falls back to the CPU with one line). */
  device: ModelDevice
}

export const DEFAULT_RUNTIME_SETTINGS: RuntimeSettings = { threads: 0, precision: 'fp32', device: 'cpu' }

export function runtimeSettings(config: SagasuConfig, model: 'tagger' | 'clip'): RuntimeSettings {
  return { threads: config.models.threads, precision: config.models[model].precision, device: config.models.device }
}

/** The thread part of onnxruntime's session options: nothing when onnxruntime chooses. */
export function threadOptions(threads: number): { intraOpNumThreads?: number } {
  return threads > 0 ? { intraOpNumThreads: threads } : {}
}

/**
 * The file a precision reads: the model itself for fp32, its dynamically quantized copy beside it
 * for int8 (`model.onnx` → `model_quantized.onnx`, the name optimum and Xenova's exports use).
 */
export function quantizedFile(file: string): string {
  return file.replace(/(\.onnx)?$/i, '_quantized.onnx')
}

/**
 * The model file to load for `precision`. A missing int8 copy is a load error naming it rather
 * than a silent fp32 fallback: the user asked for int8, and the stage version says which one ran.
 */
export function precisionFile(kind: ModelLoadError['model'], file: string, precision: ModelPrecision, key: string): string {
  if (precision === 'fp32') return file
  const quantized = quantizedFile(file)
  if (!existsSync(quantized)) {
    throw new ModelLoadError(kind, `${quantized} is missing: ${key} int8 reads the quantized copy of ${file} ` +
      '(make it with onnxruntime.quantization.quantize_dynamic, docs/models.md, or set the precision to fp32)')
  }
  return quantized
}
