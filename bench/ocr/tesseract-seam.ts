// The tesseract.js engine behind the OCR engine seam, for the benchmark: the pixels are made grey
// and scaled as workers/ocr/preprocess.ts does for the stage, then read by the same TesseractEngine.
import sharp from 'sharp'
import type { OcrEngine, OcrEngineImage, OcrResult } from '../../workers/ocr/ocr-engine'
import { prepareLanguageFolder, type OcrDataVariant, type OcrLanguage } from '../../workers/ocr/language-folder'
import { DEFAULT_PREPROCESS_LIMITS, scaleFor } from '../../workers/ocr/preprocess'
import { TesseractEngine } from '../../workers/ocr/tesseract-engine'

export async function createTesseractSeamEngine(dataDir: string, languages: readonly OcrLanguage[], variant: OcrDataVariant): Promise<OcrEngine> {
  const langPath = await prepareLanguageFolder(dataDir, languages, variant)
  const engine = await TesseractEngine.create({ langPath, languages, timeoutMs: 120_000 })
  return {
    id: `tesseract:${languages.join('+')}/${variant}`,
    async recognize(image: OcrEngineImage): Promise<OcrResult> {
      const scale = scaleFor(image.width, image.height, DEFAULT_PREPROCESS_LIMITS)
      const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
        .resize(Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)), { fit: 'fill', kernel: scale > 1 ? 'cubic' : 'lanczos3' })
        .greyscale()
        .raw()
        .toBuffer({ resolveWithObject: true })
      const pgm = Buffer.concat([Buffer.from(`P5\n${info.width} ${info.height}\n255\n`, 'ascii'), data.subarray(0, info.width * info.height)])
      const reading = await engine.recognise({ pgm, width: info.width, height: info.height })
      const lines = reading.text.split('\n').filter((line) => line.length > 0)
      const box = [[0, 0], [image.width, 0], [image.width, image.height], [0, image.height]] as const
      return { text: reading.text, lines: lines.map((text) => ({ text, confidence: reading.confidence / 100, box, vertical: reading.orientation === 'vertical' })) }
    },
    close: () => engine.terminate(),
  }
}
