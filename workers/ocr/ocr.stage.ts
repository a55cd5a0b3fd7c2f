import type { ModelDevice } from '../../config/schema'
import type { BatchItem, BatchOutcome, BatchStage } from '../stage'
import { decodeForOcr, ocrDecodeNeed, ocrPixelsFrom } from '../../models/ocr/decode-pixels'
import { IdlePool } from '../../models/ocr/idle-pool'
import { paddleStageVersion, tesseractStageVersion } from './ocr-stage-version'
import { prepareLanguageFolder, type OcrDataVariant, type OcrLanguage } from '../../models/ocr/language-folder'
import type { OcrEngine, OcrEngineImage, OcrResult } from '../../models/ocr/ocr-engine'
import { tidyOcrText } from '../../models/ocr/ocr-text'
import { DEFAULT_PADDLE_SETTINGS, PaddleEngine, type PaddleModelFiles } from '../../models/ocr/paddle/paddle-engine'
import { DEFAULT_PREPROCESS_LIMITS, OcrImageError, type PreprocessLimits } from '../../models/ocr/preprocess'
import { describe, TesseractEngine } from '../../models/ocr/tesseract-engine'

/** The `paddle` engine's model: a name for the engine id and where its files are (fetched on first load). */
export interface PaddleStageModel {
  /** e.g. `PP-OCRv5_mobile` or the folder's path: the engine's id. */
  name: string
  /** The model's part of the stage version (paddleModelIdentity): known without loading, changes with the files. */
  identity: () => string
  files: () => Promise<PaddleModelFiles>
  /** onnxruntime intra-op threads per session; 0 lets onnxruntime choose. */
  threads: number
  /** `models.device`; the CPU when left out. */
  device?: ModelDevice
}

export interface OcrStageOptions {
  dataDir: string
  /** Which engine reads (`models.ocr.engine`); tesseract when left out. */
  engine?: 'paddle' | 'tesseract'
  /** Required for the paddle engine. */
  paddle?: PaddleStageModel
  /** Tesseract's languages. */
  languages: readonly OcrLanguage[]
  /** Tesseract workers (each a thread with its own models) recognising at once; the paddle engine is one (onnxruntime threads inside). */
  workers: number
  dataVariant: OcrDataVariant
  /** All engines are closed after this long without work; the next batch starts them again. */
  idleUnloadSeconds: number
  limits?: PreprocessLimits
  timeoutMs?: number
}


/** The OCR stage plus what its tests and the benchmark look at. */
export interface OcrStage extends BatchStage<string> {
  /** Engines alive now (0 after `unload` or an idle timeout). */
  readonly loadedWorkers: number
  /** One image: the tidied text and the engine's lines (reading direction, confidence, box). */
  recognise(absPath: string): Promise<OcrResult>
}

/**
 * The `ocr` batch stage: each image is decoded with sharp (decodeForOcr, or the decode the chunk
 * runner shared: `BatchItem.decoded`), read by the configured
 * engine (PaddleOCR on onnxruntime, or tesseract.js) and tidied (CJK spaces removed, NFKC). An
 * image that cannot be decoded, is too large, or makes the engine fail is a `failed` outcome
 * naming the file; the batch goes on. A model that cannot load (ModelLoadError) fails `load`, which
 * disables the stage with that one line. While one image is being recognised the next one is
 * being decoded.
 */
export function createOcrStage(options: OcrStageOptions): OcrStage {
  const limits = options.limits ?? DEFAULT_PREPROCESS_LIMITS
  const kind = options.engine ?? 'tesseract'
  const paddle = options.paddle
  if (kind === 'paddle' && !paddle) throw new Error('the paddle OCR engine needs its model (options.paddle)')
  let langPath: Promise<string> | undefined
  const folder = (): Promise<string> => {
    langPath ??= prepareLanguageFolder(options.dataDir, options.languages, options.dataVariant).catch((error: unknown) => {
      langPath = undefined
      throw error
    })
    return langPath
  }
  const createEngine = async (): Promise<OcrEngine> => {
    if (kind === 'paddle') {
      return PaddleEngine.create({ ...DEFAULT_PADDLE_SETTINGS, modelName: paddle!.name, files: await paddle!.files(), threads: paddle!.threads, ...(paddle!.device ? { device: paddle!.device } : {}) })
    }
    return TesseractEngine.create({ langPath: await folder(), languages: options.languages, timeoutMs: options.timeoutMs ?? 120_000, limits, dataVariant: options.dataVariant })
  }
  const pool = new IdlePool<OcrEngine>({
    size: kind === 'paddle' ? 1 : options.workers,
    idleMs: options.idleUnloadSeconds * 1000,
    create: createEngine,
    destroy: (engine) => engine.close(),
  })

  const recogniseImage = (image: OcrEngineImage): Promise<OcrResult> => pool.use(async (engine, markBroken) => {
    try {
      const result = await engine.recognize(image)
      return { ...result, text: tidyOcrText(result.text) }
    } catch (error) {
      // After a failed tesseract job the WASM state is unknown: a fresh engine is cheaper than a
      // doubt. onnxruntime sessions hold no state between runs, so the paddle engine stays.
      if (kind === 'tesseract') markBroken()
      throw error
    }
  })

  const runOne = async (item: BatchItem, prepared: Promise<OcrEngineImage>): Promise<BatchOutcome<string>> => {
    let image: OcrEngineImage
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

  const lanes = kind === 'paddle' ? 1 : options.workers
  return {
    name: 'ocr',
    get loadedWorkers() {
      return pool.loaded
    },
    version: () => (kind === 'paddle' ? paddleStageVersion(paddle!.identity()) : tesseractStageVersion(options.dataVariant, options.languages)),
    async load() {
      await pool.warm(1)
    },
    decodeNeed: () => ocrDecodeNeed(limits),
    async run(batch) {
      const outcomes: Array<BatchOutcome<string>> = new Array(batch.length)
      const prepared = new Map<number, Promise<OcrEngineImage>>()
      const prepare = (index: number): void => {
        const item = batch[index]
        if (item === undefined || prepared.has(index)) return
        const promise = item.decoded ? ocrPixelsFrom(item.decoded, item.absPath, limits) : decodeForOcr(item.absPath, limits, item.root)
        // Handled when awaited; this only keeps an early failure from counting as unhandled.
        promise.catch(() => undefined)
        prepared.set(index, promise)
      }
      let next = 0
      const width = Math.min(lanes, batch.length)
      await Promise.all(Array.from({ length: width }, async () => {
        while (next < batch.length) {
          const index = next++
          prepare(index)
          // Decode ahead: the next image is ready when an engine frees up.
          prepare(index + width)
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
      return recogniseImage(await decodeForOcr(absPath, limits))
    },
  }
}
