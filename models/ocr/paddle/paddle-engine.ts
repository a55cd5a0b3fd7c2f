import { existsSync } from 'node:fs'
import type * as ort from 'onnxruntime-node'
import type { OcrEngine, OcrEngineImage, OcrLine, OcrResult } from '../ocr-engine'
import { DEFAULT_DB_SETTINGS, type DbSettings, type DetectedBox } from './db-boxes'
import { Detector } from './detector'
import { DirectionClassifier } from './direction-classifier'
import { fitDictionary, readDictionary } from './dictionary'
import { quadHeight, quadWidth, type Quad } from './geometry'
import { cropLine, type LineCrop } from './line-crop'
import { keepsLine } from './line-filter'
import { openSession } from './onnx-session'
import { checkRaster } from './raster'
import { orderLines, type PlacedText } from './reading-order'
import { Recognizer } from './recognizer'
import { stackColumn } from './stacked-column'
import { ModelLoadError } from '../../model-load-error'
import type { ModelDevice } from '../../../config/schema'

/** The files of a PP-OCR model folder (see docs/models.md). */
export interface PaddleModelFiles {
  det: string
  rec: string
  /** The 0°/180° text-line classifier; without it no line is turned. */
  cls?: string
  dict: string
}

export interface PaddleEngineSettings {
  /** Names the model in the engine id, e.g. `ppocrv5-mobile`. */
  modelName: string
  files: PaddleModelFiles
  /** onnxruntime intra-op threads per session; 0 lets onnxruntime choose. */
  threads: number
  /** `models.device` for the sessions; the CPU when left out. */
  device?: ModelDevice
  /** The detector sees the image with its longest side brought into this range (memory and time are bounded by the maximum). */
  detectionLongSide: { minLongSide: number; maxLongSide: number }
  db: DbSettings
  /** Crops per recogniser run. */
  recognitionBatch: number
  /** Lines whose mean character confidence is below this are dropped (illustrations without text). */
  lineConfidenceFloor: number
  /** A crop this much taller than wide is a vertical column (PaddleOCR turns such crops, ratio 1.5). */
  verticalRatio: number
  /**
   * Use the 0°/180° classifier (when the folder has one) on horizontal lines. Off by default: on
   * the real set no line is upside down, and the classifier turned correct lines of the game
   * frames (findable 63 % → 60 %, CER 22 % → 25 %); worth it for scans that may lie upside down.
   */
  classifyDirection: boolean
  /** Also read each vertical column with its characters stacked upright (see stacked-column.ts). */
  stackColumns: boolean
}

export const DEFAULT_PADDLE_SETTINGS: Omit<PaddleEngineSettings, 'modelName' | 'files'> = {
  threads: 0,
  detectionLongSide: { minLongSide: 640, maxLongSide: 1280 },
  db: DEFAULT_DB_SETTINGS,
  recognitionBatch: 6,
  lineConfidenceFloor: 0.65,
  verticalRatio: 1.5,
  classifyDirection: false,
  stackColumns: true,
}

/** The recogniser's input height (PP-OCRv3 and later: 48). */
const LINE_HEIGHT = 48
/** Bounds one crop's width (and so a batch's memory): 80 characters of a line at 48 px. */
const MAX_LINE_WIDTH = 48 * 80

/**
 * The `paddle` OCR engine: PP-OCR text detection (DB) and CTC recognition on onnxruntime-node,
 * with the pre- and post-processing written here (see docs/models.md for why no npm library).
 * Sessions are created once and reused; an image that fails throws for that image only.
 */
export class PaddleEngine implements OcrEngine {
  readonly id: string

  private constructor(
    private readonly settings: PaddleEngineSettings,
    private readonly sessions: ort.InferenceSession[],
    private readonly detector: Detector,
    private readonly recognizer: Recognizer,
    private readonly classifier: DirectionClassifier | null,
  ) {
    this.id = paddleEngineId(settings.modelName)
  }

  /** Loads the three sessions and the dictionary; a missing or corrupt file is a ModelLoadError naming it. */
  static async create(settings: PaddleEngineSettings): Promise<PaddleEngine> {
    const { files } = settings
    for (const file of [files.det, files.rec, files.dict, ...(files.cls ? [files.cls] : [])]) {
      if (!existsSync(file)) throw new ModelLoadError('ocr', `${file} does not exist`)
    }
    const sessions: ort.InferenceSession[] = []
    const open = async (file: string): Promise<ort.InferenceSession> => {
      const session = await openSession(file, { threads: settings.threads, ...(settings.device ? { device: settings.device } : {}) })
      sessions.push(session)
      return session
    }
    try {
      let characters: string[]
      try {
        characters = readDictionary(files.dict)
      } catch (error) {
        throw new ModelLoadError('ocr', `cannot read ${files.dict}: ${(error as Error).message}`, { cause: error })
      }
      const det = await open(files.det)
      const rec = await open(files.rec)
      const classes = await recogniserClasses(rec, files.rec)
      let dictionary: string[]
      try {
        dictionary = fitDictionary(characters, classes, files.dict)
      } catch (error) {
        throw new ModelLoadError('ocr', (error as Error).message)
      }
      const cls = files.cls && settings.classifyDirection ? await open(files.cls) : null
      return new PaddleEngine(
        settings,
        sessions,
        new Detector(det, files.det, settings.detectionLongSide, settings.db),
        new Recognizer(rec, files.rec, dictionary, settings.recognitionBatch),
        cls ? new DirectionClassifier(cls, files.cls!, 0.9) : null,
      )
    } catch (error) {
      await Promise.all(sessions.map((session) => session.release().catch(() => undefined)))
      throw error
    }
  }

  async recognize(image: OcrEngineImage, signal?: AbortSignal): Promise<OcrResult> {
    checkRaster(image)
    signal?.throwIfAborted()
    const boxes = await this.detector.detect(image)
    signal?.throwIfAborted()
    const lines = await this.readBoxes(image, boxes, signal)
    return { text: lines.map((line) => line.text).join('\n'), lines }
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.map((session) => session.release().catch(() => undefined)))
  }

  private async readBoxes(image: OcrEngineImage, boxes: readonly DetectedBox[], signal?: AbortSignal): Promise<OcrLine[]> {
    const quads: Quad[] = boxes.map((box) => box.quad)
    const vertical = quads.map((quad) => quadHeight(quad) >= this.settings.verticalRatio * quadWidth(quad))
    const crops: LineCrop[] = quads.map((quad, i) => cropLine(image, quad, vertical[i]!, LINE_HEIGHT, MAX_LINE_WIDTH))
    if (this.classifier) {
      // Vertical columns are turned by geometry; the classifier was trained on horizontal lines.
      const horizontal = crops.map((_, i) => i).filter((i) => !vertical[i])
      const flips = await this.classifier.upsideDown(horizontal.map((i) => crops[i]!))
      horizontal.forEach((index, n) => {
        if (!flips[n]) return
        const [p0, p1, p2, p3] = quads[index]!
        quads[index] = [p2, p3, p0, p1]
        crops[index] = cropLine(image, quads[index], false, LINE_HEIGHT, MAX_LINE_WIDTH)
      })
    }
    // Vertical columns are read twice, turned and upright-stacked; the more confident reading wins.
    const columns = crops.map((_, i) => i).filter((i) => vertical[i] && this.settings.stackColumns)
    const stacked = columns.map((i) => stackColumn(image, quads[i]!, LINE_HEIGHT, MAX_LINE_WIDTH))
    const all = await this.recognizer.recognize([...crops, ...stacked], signal)
    const decoded = all.slice(0, crops.length)
    columns.forEach((index, n) => {
      const upright = all[crops.length + n]!
      if (upright.confidence > decoded[index]!.confidence) decoded[index] = upright
    })
    const placed: PlacedText[] = []
    decoded.forEach((line, i) => {
      if (line.text.trim().length === 0 || line.confidence < this.settings.lineConfidenceFloor) return
      placed.push({ quad: quads[i]!, vertical: vertical[i]!, text: line.text, confidence: line.confidence })
    })
    // Punctuation is judged on whole lines: a column's "！？" in a box of its own stays with the column.
    return orderLines(placed).filter((line) => keepsLine(line.text, line.confidence, this.settings.lineConfidenceFloor)).map((line) => ({
      text: line.text,
      confidence: line.confidence,
      box: [[line.bounds.x0, line.bounds.y0], [line.bounds.x1, line.bounds.y0], [line.bounds.x1, line.bounds.y1], [line.bounds.x0, line.bounds.y1]],
      vertical: line.vertical,
    }))
  }
}

export function paddleEngineId(modelName: string): string {
  return `paddle:${modelName}`
}

/** The recogniser's class count, read from one tiny run (the ONNX output shape leaves it symbolic in some exports). */
async function recogniserClasses(session: ort.InferenceSession, file: string): Promise<number> {
  const { Tensor } = await import('onnxruntime-node')
  try {
    const outputs = await session.run({ [session.inputNames[0]!]: new Tensor('float32', new Float32Array(3 * LINE_HEIGHT * 64), [1, 3, LINE_HEIGHT, 64]) })
    const dims = outputs[session.outputNames[0]!]?.dims ?? []
    if (dims.length !== 3 || !(dims[2]! > 1)) throw new Error(`its output is [${dims.join(', ')}], not [batch, steps, classes]`)
    return dims[2]!
  } catch (error) {
    throw new ModelLoadError('ocr', `${file} is not a PP-OCR recogniser for ${LINE_HEIGHT}-pixel lines: ${(error as Error).message.split('\n')[0]}`, { cause: error })
  }
}
