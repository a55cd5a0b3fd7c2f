// The paddle engine for the benchmark, on a model folder checked as the stage checks it.
import { configSchema } from '../../config/schema'
import type { OcrEngine } from '../../models/ocr/ocr-engine'
import { DEFAULT_PADDLE_SETTINGS, PaddleEngine } from '../../models/ocr/paddle/paddle-engine'
import { resolvePaddleModelFiles } from '../../models/ocr/paddle-model-files'

export async function createPaddleSeamEngine(modelFolder: string, dataDir: string): Promise<OcrEngine> {
  const files = await resolvePaddleModelFiles(configSchema.parse({ dataDir, models: { ocr: { model: { path: modelFolder } } } }))
  return PaddleEngine.create({ ...DEFAULT_PADDLE_SETTINGS, modelName: 'ppocrv5-mobile', files })
}
