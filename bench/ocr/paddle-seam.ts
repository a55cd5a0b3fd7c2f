// The paddle engine behind the OCR engine seam, for the benchmark. The engine itself
// (workers/ocr/paddle/) is written on another branch of issue 13; until it is merged this build has
// none, and the benchmark says so instead of failing. The module is loaded by a computed path, so
// this file compiles either way; after the merge a static import can replace it.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { configSchema } from '../../config/schema'
import type { OcrEngine } from '../../workers/ocr/ocr-engine'
import { resolvePaddleModelFiles, type PaddleModelFiles } from '../../workers/ocr/paddle-model-files'

const ENGINE_MODULE = fileURLToPath(new URL('../../workers/ocr/paddle/paddle-engine.ts', import.meta.url))

/** What the benchmark uses of workers/ocr/paddle/paddle-engine.ts. */
interface PaddleEngineModule {
  DEFAULT_PADDLE_SETTINGS: Record<string, unknown>
  PaddleEngine: { create(settings: Record<string, unknown> & { modelName: string; files: Omit<PaddleModelFiles, 'identity'> }): Promise<OcrEngine> }
}

/** The paddle engine on the model folder, or why there is none in this build. */
export async function createPaddleSeamEngine(modelFolder: string, dataDir: string): Promise<OcrEngine | string> {
  if (!existsSync(ENGINE_MODULE)) return `this build has no paddle engine (${ENGINE_MODULE} is missing)`
  const module = (await import(pathToFileURL(ENGINE_MODULE).href)) as PaddleEngineModule
  const { identity, ...files } = await resolvePaddleModelFiles(configSchema.parse({ dataDir, models: { ocr: { model: { path: modelFolder } } } }))
  void identity
  return module.PaddleEngine.create({ ...module.DEFAULT_PADDLE_SETTINGS, modelName: 'ppocrv5-mobile', files })
}
