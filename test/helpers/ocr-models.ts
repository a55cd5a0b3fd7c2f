import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { OCR_MODEL_DIGESTS, OCR_MODEL_FOLDER } from '../../scripts/test-deps/ocr-models'

/** The files a PaddleOCR model folder holds (docs/models.md, "OCR"). */
export const OCR_MODEL_FILES = Object.keys(OCR_MODEL_DIGESTS)

/**
 * The absolute folder holding the real PP-OCRv5 models that `npm run test:deps` converts:
 * det.onnx, rec.onnx, cls.onnx, dict.txt (and model.json). Throws naming the missing file and the
 * command that installs it: a test or bench needing the models must not pass without them.
 */
export function ocrModelFolder(): string {
  const missing = OCR_MODEL_FILES.find((file) => !existsSync(join(OCR_MODEL_FOLDER, file)))
  if (missing) throw new Error(`the OCR test models are not installed: ${join(OCR_MODEL_FOLDER, missing)} is missing; run \`npm run test:deps\``)
  return OCR_MODEL_FOLDER
}

/**
 * Why a test needing the models is skipped: only when they are missing AND `SAGASU_NO_OCR_MODELS`
 * is set (a machine without Python); null otherwise, so a missing install fails by default.
 *
 * @example
 * const skip = ocrModelsSkipReason()
 * if (skip) it.skip(skip, () => {}) else it('reads …', () => { const folder = ocrModelFolder() … })
 */
export function ocrModelsSkipReason(): string | null {
  const missing = OCR_MODEL_FILES.some((file) => !existsSync(join(OCR_MODEL_FOLDER, file)))
  if (missing && process.env.SAGASU_NO_OCR_MODELS) return `skipped: the OCR models are not installed in ${OCR_MODEL_FOLDER} and SAGASU_NO_OCR_MODELS is set`
  return null
}
