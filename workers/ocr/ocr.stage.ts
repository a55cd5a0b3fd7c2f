import type { BatchItem, BatchOutcome, BatchStage } from '../stage'
import { IdlePool } from './idle-pool'
import { tesseractStageVersion } from './ocr-stage-version'
import { prepareLanguageFolder, type OcrDataVariant, type OcrLanguage } from './language-folder'
import { DEFAULT_PREPROCESS_LIMITS, OcrImageError, preprocessForOcr, type OcrImage, type PreprocessLimits } from './preprocess'
import { describe, TesseractEngine, type Recognition } from './tesseract-engine'

export interface OcrStageOptions {
  dataDir: string
  languages: readonly OcrLanguage[]
  /** Tesseract workers (each a thread with its own models) recognising at once. */
  workers: number
  dataVariant: OcrDataVariant
  /** All workers are terminated after this long without work; the next batch starts them again. */
  idleUnloadSeconds: number
  limits?: PreprocessLimits
  timeoutMs?: number
}


/** The OCR stage plus what its tests and the benchmark look at. */
export interface OcrStage extends BatchStage<string> {
  /** Tesseract engines alive now (0 after `unload` or an idle timeout). */
  readonly loadedWorkers: number
  /** One image, with its reading direction and confidence. */
  recognise(absPath: string): Promise<Recognition>
}

/**
 * The `ocr` batch stage: each image is decoded and normalised with sharp, read by tesseract.js
 * (language data from node_modules, no network) and tidied (CJK spaces removed, NFKC). An image
 * that cannot be decoded, is too large, or makes tesseract fail is a `failed` outcome naming the
 * file; the batch goes on. While one image is being recognised the next one is being decoded.
 */
export function createOcrStage(options: OcrStageOptions): OcrStage {
  const limits = options.limits ?? DEFAULT_PREPROCESS_LIMITS
  let langPath: Promise<string> | undefined
  const folder = (): Promise<string> => {
    langPath ??= prepareLanguageFolder(options.dataDir, options.languages, options.dataVariant).catch((error: unknown) => {
      langPath = undefined
      throw error
    })
    return langPath
  }
  const pool = new IdlePool<TesseractEngine>({
    size: options.workers,
    idleMs: options.idleUnloadSeconds * 1000,
    create: async () => TesseractEngine.create({ langPath: await folder(), languages: options.languages, timeoutMs: options.timeoutMs ?? 120_000 }),
    destroy: (engine) => engine.terminate(),
  })

  const recogniseImage = (image: OcrImage): Promise<Recognition> => pool.use(async (engine, markBroken) => {
    try {
      return await engine.recognise(image)
    } catch (error) {
      // After a failed job the WASM state is unknown: a fresh engine is cheaper than a doubt.
      markBroken()
      throw error
    }
  })

  const runOne = async (item: BatchItem, prepared: Promise<OcrImage>): Promise<BatchOutcome<string>> => {
    let image: OcrImage
    try {
      image = await prepared
    } catch (error) {
      const reason = error instanceof OcrImageError ? error.message : `cannot decode ${item.absPath}: ${describe(error)}`
      return { status: 'failed', reason }
    }
    try {
      const recognition = await recogniseImage(image)
      return { status: 'done', output: recognition.text }
    } catch (error) {
      return { status: 'failed', reason: `OCR failed on ${item.absPath}: ${describe(error)}` }
    }
  }

  return {
    name: 'ocr',
    get loadedWorkers() {
      return pool.loaded
    },
    version: () => tesseractStageVersion(options.dataVariant, options.languages),
    async load() {
      await pool.warm(1)
    },
    async run(batch) {
      const outcomes: Array<BatchOutcome<string>> = new Array(batch.length)
      const prepared = new Map<number, Promise<OcrImage>>()
      const prepare = (index: number): void => {
        const item = batch[index]
        if (item === undefined || prepared.has(index)) return
        const promise = preprocessForOcr(item.absPath, limits, item.root)
        // Handled when awaited; this only keeps an early failure from counting as unhandled.
        promise.catch(() => undefined)
        prepared.set(index, promise)
      }
      let next = 0
      const lanes = Math.min(options.workers, batch.length)
      await Promise.all(Array.from({ length: lanes }, async () => {
        while (next < batch.length) {
          const index = next++
          prepare(index)
          // Decode ahead: the next image is ready when a worker frees up.
          prepare(index + lanes)
          outcomes[index] = await runOne(batch[index]!, prepared.get(index)!)
          prepared.delete(index)
        }
      }))
      return outcomes
    },
    async unload() {
      await pool.drain()
    },
    async recognise(absPath) {
      return recogniseImage(await preprocessForOcr(absPath, limits))
    },
  }
}
