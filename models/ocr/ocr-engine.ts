/**
 * The seam between the OCR stage (and the OCR benchmark) and an OCR engine: `paddle` (PP-OCR
 * detection + recognition on onnxruntime-node) or `tesseract` (tesseract.js). Both take the same
 * decoded pixels and give back the same shape, so the stage stores, and the bench scores, either.
 */

/** Decoded pixels: 8-bit, interleaved, row-major, no padding between rows. */
export interface OcrEngineImage {
  data: Uint8Array | Buffer
  width: number
  height: number
  /** 1 = grey, 3 = RGB, 4 = RGBA (channel order R, G, B[, A]; never BGR: an engine converts itself). */
  channels: 1 | 3 | 4
}

/** A point in the input image's pixel coordinates. */
export type OcrPoint = readonly [x: number, y: number]

export interface OcrLine {
  /** The line's text as recognised (not yet tidied: `tidyOcrText` runs on the joined text). */
  text: string
  /** 0–1: the engine's confidence in this line (lines under the engine's floor are not returned). */
  confidence: number
  /** The line's quadrilateral, clockwise from the top-left corner of its reading direction. */
  box: readonly [OcrPoint, OcrPoint, OcrPoint, OcrPoint]
  /** True when the line was read top to bottom (a vertical Japanese column). */
  vertical: boolean
}

export interface OcrResult {
  /** The lines' text joined with '\n' in reading order; '' for an image without text. */
  text: string
  /** In reading order. */
  lines: OcrLine[]
}

export interface OcrEngine {
  /**
   * Names the engine and its model, e.g. `paddle:ppocrv5-mobile` or `tesseract:jpn+chi_sim+eng/fast`.
   * Stored with each OCR result: an image read under another id is read again.
   */
  readonly id: string
  recognize(image: OcrEngineImage, signal?: AbortSignal): Promise<OcrResult>
  /** Frees the engine's sessions or worker threads; recognize must not be called afterwards. */
  close(): Promise<void>
}
