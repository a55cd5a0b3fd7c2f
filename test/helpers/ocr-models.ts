import { existsSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Stand-in until the i-ocrmodels branch's helper (installed by `npm run test:deps`) replaces this
 * file: the folder of the real PP-OCRv5 models, `SAGASU_OCR_MODELS` or /work/ocr-models/ppocrv5.
 * Throws naming the missing file: a test needing the models must not pass without them.
 */
export function ocrModelFolder(): string {
  const folder = process.env.SAGASU_OCR_MODELS ?? '/work/ocr-models/ppocrv5'
  const missing = ['det.onnx', 'rec.onnx', 'cls.onnx', 'dict.txt'].find((file) => !existsSync(join(folder, file)))
  if (missing) throw new Error(`the OCR test models are not installed: ${join(folder, missing)} is missing; run \`npm run test:deps\``)
  return folder
}
