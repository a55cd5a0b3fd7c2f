import type { SagasuConfig } from '../../config/schema'
import { createOcrStage, type OcrStage } from './ocr.stage'

export { createOcrStage, type OcrStage, type OcrStageOptions } from './ocr.stage'
export { tidyOcrText } from './ocr-text'
export { characterErrorRate } from './character-error-rate'

/** The OCR stage as the configuration sets it up, or null when `models.ocr.enabled` is false. */
export function ocrStageFromConfig(config: SagasuConfig): OcrStage | null {
  const ocr = config.models.ocr
  if (!ocr.enabled) return null
  return createOcrStage({
    dataDir: config.dataDir,
    languages: [...new Set(ocr.languages)],
    workers: ocr.workers,
    dataVariant: ocr.data,
    idleUnloadSeconds: config.models.idleUnloadSeconds,
  })
}
