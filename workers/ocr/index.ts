import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { SagasuConfig } from '../../config/schema'
import { createOcrStage, type OcrStage, type PaddleStageModel } from './ocr.stage'

export { createOcrStage, type OcrStage, type OcrStageOptions } from './ocr.stage'
export { tidyOcrText } from './ocr-text'
export { characterErrorRate } from './character-error-rate'

/** The OCR stage as the configuration sets it up, or null when `models.ocr.enabled` is false. */
export function ocrStageFromConfig(config: SagasuConfig): OcrStage | null {
  const ocr = config.models.ocr
  if (!ocr.enabled) return null
  const engine = ocrEngineChoice(ocr)
  return createOcrStage({
    dataDir: config.dataDir,
    engine,
    ...(engine === 'paddle' ? { paddle: paddleModel(config) } : {}),
    languages: [...new Set(ocr.languages)],
    workers: ocr.workers,
    dataVariant: ocr.data,
    idleUnloadSeconds: config.models.idleUnloadSeconds,
  })
}

/**
 * `models.ocr.engine`, read defensively until the key is in config/schema.ts (the schema gives
 * it a default); without it the stage keeps tesseract, today's behaviour.
 */
function ocrEngineChoice(ocr: SagasuConfig['models']['ocr']): 'paddle' | 'tesseract' {
  return (ocr as { engine?: unknown }).engine === 'paddle' ? 'paddle' : 'tesseract'
}

/**
 * Stand-in for `resolvePaddleModelFiles` (workers/ocr/paddle-model-files.ts): `models.ocr.model.path`
 * or `<dataDir>/models/ocr/ppocrv5`, with the folder layout of docs/models.md.
 */
function paddleModel(config: SagasuConfig): PaddleStageModel {
  const model = (config.models.ocr as { model?: { path?: unknown; id?: unknown } }).model
  const folder = typeof model?.path === 'string' ? model.path : join(config.dataDir, 'models', 'ocr', 'ppocrv5')
  return {
    name: typeof model?.id === 'string' ? model.id : 'ppocrv5-mobile',
    threads: 0,
    files: async () => ({ det: join(folder, 'det.onnx'), rec: join(folder, 'rec.onnx'), dict: join(folder, 'dict.txt'), ...(existsSync(join(folder, 'cls.onnx')) ? { cls: join(folder, 'cls.onnx') } : {}) }),
  }
}
