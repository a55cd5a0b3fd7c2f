import type { Worker as ThreadWorker } from 'node:worker_threads'
import sharp from 'sharp'
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js'
import type { OcrLanguage } from './language-folder'
import type { OcrEngine, OcrEngineImage, OcrResult } from './ocr-engine'
import { DEFAULT_PREPROCESS_LIMITS, scaleFor, type OcrImage, type PreprocessLimits } from './preprocess'
import { tidyOcrText } from './ocr-text'

export interface EngineSettings {
  /** The folder from `prepareLanguageFolder`. */
  langPath: string
  languages: readonly OcrLanguage[]
  /** A recognition taking longer is abandoned and the worker replaced (a stuck WASM thread never answers). */
  timeoutMs: number
  /** Scaling into tesseract's comfortable range (the pixels come decoded and at most `maxPixels`). */
  limits?: PreprocessLimits
  /** Names the language data in the engine id, e.g. `4.0.0`. */
  dataVariant?: string
}

export interface Recognition {
  text: string
  /** Tesseract's mean word confidence, 0–100. */
  confidence: number
  orientation: 'horizontal' | 'vertical'
}

/**
 * One tesseract.js worker thread per reading direction, loaded once: `jpn+chi_sim+eng` (the
 * configured horizontal languages, in config order, the first one primary) reading a single
 * uniform block of text (PSM 6), and `jpn_vert` reading a single block of vertical text (PSM 5).
 *
 * How vertical Japanese is found: tesseract's automatic layout reads a block of vertical text as
 * rows across the columns, giving many lines of one or two characters. When the horizontal
 * reading looks like that (two lines or more, at most 3 characters per line on average), or finds
 * nothing in a tall image, the image is read again with `jpn_vert`, and the reading with the
 * longer lines wins. Comparing tesseract's confidences instead picked the wrong reading for 2 of
 * 6 vertical samples (the horizontal misreading often scores 85–90), and always running both
 * passes would cost a second recognition on every horizontal image. See docs/models.md.
 */
/**
 * The page segmentation modes set on the two workers (docs/models.md names them). Mode 6 is what
 * tesseract's API uses when nothing is set (only its command line defaults to automatic, 3); it is
 * set explicitly so the code says what runs.
 */
export const PAGE_SEGMENTATION = { horizontal: PSM.SINGLE_BLOCK, vertical: PSM.SINGLE_BLOCK_VERT_TEXT } as const

export class TesseractEngine implements OcrEngine {
  readonly id: string

  private constructor(
    private readonly horizontal: Worker | null,
    private readonly vertical: Worker | null,
    private readonly threads: ThreadWorker[],
    private readonly timeoutMs: number,
    private readonly limits: PreprocessLimits,
    settings: EngineSettings,
  ) {
    this.id = tesseractEngineId(settings.languages, settings.dataVariant ?? 'unknown')
  }

  static async create(settings: EngineSettings): Promise<TesseractEngine> {
    const horizontalLanguages = settings.languages.filter((language) => language !== 'jpn_vert')
    const options = {
      langPath: settings.langPath,
      gzip: true,
      // No traineddata copies written to (or read from) the working directory.
      cacheMethod: 'none',
      // Without a handler, tesseract.js rethrows a failed job inside its message listener,
      // which is an uncaught exception; the job's promise rejects either way.
      errorHandler: () => undefined,
    }
    const workers: Worker[] = []
    try {
      const horizontal = horizontalLanguages.length > 0
        ? await startWorker(horizontalLanguages.join('+'), options, settings.timeoutMs).then((worker) => (workers.push(worker), worker))
        : null
      const vertical = settings.languages.includes('jpn_vert')
        ? await startWorker('jpn_vert', options, settings.timeoutMs).then((worker) => (workers.push(worker), worker))
        : null
      await horizontal?.setParameters({ tessedit_pageseg_mode: PAGE_SEGMENTATION.horizontal })
      await vertical?.setParameters({ tessedit_pageseg_mode: PAGE_SEGMENTATION.vertical })
      const threads = workers.map(threadOf).filter((thread): thread is ThreadWorker => thread !== null)
      return new TesseractEngine(horizontal, vertical, threads, settings.timeoutMs, settings.limits ?? DEFAULT_PREPROCESS_LIMITS, settings)
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.terminate().catch(() => undefined)))
      throw new Error(`cannot start tesseract with ${settings.languages.join('+')} from ${settings.langPath}: ${describe(error)}`)
    }
  }

  /** The OcrEngine seam: decoded pixels in, one line per line of text tesseract read. */
  async recognize(image: OcrEngineImage, signal?: AbortSignal): Promise<OcrResult> {
    signal?.throwIfAborted()
    const recognition = await this.recognise(await toGreyscalePgm(image, this.limits))
    const text = recognition.text
    const corners = [[0, 0], [image.width, 0], [image.width, image.height], [0, image.height]] as const
    const lines = text.length === 0 ? [] : text.split('\n').map((line) => ({
      text: line,
      confidence: recognition.confidence / 100,
      box: corners,
      vertical: recognition.orientation === 'vertical',
    }))
    return { text, lines }
  }

  async close(): Promise<void> {
    await this.terminate()
  }

  async recognise(image: OcrImage): Promise<Recognition> {
    const first = this.horizontal
      ? await this.read(this.horizontal, image, 'horizontal')
      : await this.read(this.vertical!, image, 'vertical')
    if (!this.vertical || first.orientation === 'vertical' || !looksVertical(first, image)) return first
    const second = await this.read(this.vertical, image, 'vertical')
    const [a, b] = [meanLineLength(first.text), meanLineLength(second.text)]
    if (b > a || (b === a && second.confidence > first.confidence)) return second
    return first
  }

  async terminate(): Promise<void> {
    await Promise.all([this.horizontal?.terminate(), this.vertical?.terminate()].map((done) => done?.catch(() => undefined)))
  }

  private async read(worker: Worker, image: OcrImage, orientation: Recognition['orientation']): Promise<Recognition> {
    let timer: NodeJS.Timeout | undefined
    const cleanups: Array<() => void> = []
    const abandoned = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`tesseract did not answer within ${this.timeoutMs / 1000} s`)), this.timeoutMs)
      for (const thread of this.threads) {
        const onError = (error: Error): void => reject(new Error(`the tesseract worker crashed: ${error.message}`))
        const onExit = (code: number): void => reject(new Error(`the tesseract worker exited (code ${code})`))
        thread.once('error', onError)
        thread.once('exit', onExit)
        cleanups.push(() => { thread.off('error', onError); thread.off('exit', onExit) })
      }
    })
    try {
      const result = await Promise.race([worker.recognize(image.pgm), abandoned])
      return { text: tidyOcrText(result.data.text), confidence: result.data.confidence, orientation }
    } finally {
      clearTimeout(timer)
      for (const cleanup of cleanups) cleanup()
    }
  }
}

/** The engine id stored with each result: the tesseract.js version, data variant and languages. */
export function tesseractEngineId(languages: readonly OcrLanguage[], dataVariant: string): string {
  return `tesseract.js@${TESSERACT_JS}/${dataVariant}/${languages.join('+')}`
}

const TESSERACT_JS = '7.0.0'

/**
 * Greyscale and scaled into tesseract's range (`scaleFor`: down to `maxPixels`, small images up
 * to 2×), as a binary PGM: leptonica reads it without a codec.
 */
async function toGreyscalePgm(image: OcrEngineImage, limits: PreprocessLimits): Promise<OcrImage> {
  const scale = scaleFor(image.width, image.height, limits)
  const width = Math.max(1, Math.round(image.width * scale))
  const height = Math.max(1, Math.round(image.height * scale))
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize(width, height, { fit: 'fill', kernel: scale > 1 ? 'cubic' : 'lanczos3' })
    .greyscale()
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true })
  const header = Buffer.from(`P5\n${info.width} ${info.height}\n255\n`, 'ascii')
  return { pgm: Buffer.concat([header, data]), width: info.width, height: info.height }
}

/**
 * createWorker with a deadline: when tesseract's WebAssembly core cannot load, the worker aborts
 * inside its own thread and createWorker never settles.
 */
async function startWorker(languages: string, options: Parameters<typeof createWorker>[2], timeoutMs: number): Promise<Worker> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`tesseract did not start within ${timeoutMs / 1000} s`)), timeoutMs)
  })
  try {
    return await Promise.race([createWorker(languages, OEM.LSTM_ONLY, options), deadline])
  } finally {
    clearTimeout(timer)
  }
}

function looksVertical(reading: Recognition, image: OcrImage): boolean {
  if (reading.text.length === 0) return image.height > image.width
  const lines = reading.text.split('\n').length
  return lines >= 2 && meanLineLength(reading.text) <= 3
}

/** Characters per line, spaces not counted. */
export function meanLineLength(text: string): number {
  if (text.length === 0) return 0
  const lines = text.split('\n')
  return [...text.replace(/\s/g, '')].length / lines.length
}

/** The worker_threads Worker inside a tesseract.js worker (not in its types). */
function threadOf(worker: Worker): ThreadWorker | null {
  const thread = (worker as unknown as { worker?: unknown }).worker
  return thread && typeof (thread as ThreadWorker).once === 'function' ? thread as ThreadWorker : null
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
