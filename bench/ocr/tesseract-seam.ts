// The tesseract.js engine for the benchmark: the same TesseractEngine the stage runs (it makes the
// pixels grey and scales them itself), under the short id the benchmark's tables print.
import type { OcrEngine } from '../../models/ocr/ocr-engine'
import { prepareLanguageFolder, type OcrDataVariant, type OcrLanguage } from '../../models/ocr/language-folder'
import { TesseractEngine } from '../../models/ocr/tesseract-engine'

export async function createTesseractSeamEngine(dataDir: string, languages: readonly OcrLanguage[], variant: OcrDataVariant): Promise<OcrEngine> {
  const langPath = await prepareLanguageFolder(dataDir, languages, variant)
  const engine = await TesseractEngine.create({ langPath, languages, timeoutMs: 120_000, dataVariant: variant })
  return {
    id: `tesseract:${languages.join('+')}/${variant}`,
    recognize: (image, signal) => engine.recognize(image, signal),
    close: () => engine.close(),
  }
}
