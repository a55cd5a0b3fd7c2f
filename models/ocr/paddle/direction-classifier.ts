import * as ort from 'onnxruntime-node'
import type { LineCrop } from './line-crop'
import { floatOutput } from './onnx-session'

/** The classifier's input width (PaddleOCR's cls_image_shape 3×48×192). */
export const CLASSIFIER_WIDTH = 192
const BATCH = 32

/**
 * PaddleOCR's text-line direction classifier (labels 0° and 180°): true for each crop that reads
 * upside down with more than `threshold` confidence (PaddleOCR's cls_thresh, 0.9).
 */
export class DirectionClassifier {
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly file: string,
    private readonly threshold: number,
  ) {}

  async upsideDown(crops: readonly LineCrop[]): Promise<boolean[]> {
    const flags: boolean[] = []
    // A bounded batch: a page of a thousand boxes must not become one 100 MB tensor.
    for (let start = 0; start < crops.length; start += BATCH) flags.push(...await this.run(crops.slice(start, start + BATCH)))
    return flags
  }

  private async run(crops: readonly LineCrop[]): Promise<boolean[]> {
    if (crops.length === 0) return []
    const height = crops[0]!.height
    const plane = height * CLASSIFIER_WIDTH
    const input = new Float32Array(crops.length * 3 * plane)
    crops.forEach((crop, n) => {
      const width = Math.min(crop.width, CLASSIFIER_WIDTH)
      for (let c = 0; c < 3; c++) {
        for (let y = 0; y < height; y++) {
          const from = c * crop.height * crop.width + y * crop.width
          input.set(crop.tensor.subarray(from, from + width), n * 3 * plane + c * plane + y * CLASSIFIER_WIDTH)
        }
      }
    })
    const feeds = { [this.session.inputNames[0]!]: new ort.Tensor('float32', input, [crops.length, 3, height, CLASSIFIER_WIDTH]) }
    const output = floatOutput(await this.session.run(feeds), this.session, this.file)
    if (output.dims[0] !== crops.length || output.dims[1] !== 2) throw new Error(`${this.file} gave output ${output.dims.join('×')} for ${crops.length} crops`)
    return crops.map((_, n) => output.data[n * 2 + 1]! > this.threshold)
  }
}
