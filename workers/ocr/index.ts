import type { SagasuConfig } from '../../config/schema'
import { paddleModelIdentity, resolvePaddleModelFiles } from '../../models/ocr/paddle-model-files'
import { createOcrStage, type OcrStage, type PaddleStageModel } from './ocr.stage'

export { createOcrStage, type OcrStage, type OcrStageOptions } from './ocr.stage'
export { tidyOcrText } from '../../models/ocr/ocr-text'
export { characterErrorRate } from '../../models/ocr/character-error-rate'

/** The OCR stage as the configuration sets it up, or null when `models.ocr.enabled` is false. */
export function ocrStageFromConfig(config: SagasuConfig): OcrStage | null {
  const ocr = config.models.ocr
  if (!ocr.enabled) return null
  const engine = ocr.engine
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

/** The configured paddle model: resolved (downloaded once, checked) when the stage first loads. */
function paddleModel(config: SagasuConfig): PaddleStageModel {
  const { name, path } = config.models.ocr.model
  return {
    name: path ?? name,
    identity: () => paddleModelIdentity(config),
    threads: config.models.threads,
    device: config.models.device,
    files: () => resolvePaddleModelFiles(config),
  }
}
