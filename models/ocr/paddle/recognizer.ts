import * as ort from 'onnxruntime-node'
import { ctcGreedyDecode, type DecodedLine } from './ctc-decode'
import type { LineCrop } from './line-crop'
import { floatOutput } from './onnx-session'

/** PaddleOCR's rec_image_shape width: narrower crops are padded to it, as in training. */
const MIN_WIDTH = 320

/**
 * PP-OCR's CTC recogniser over crops of one height. Crops are sorted by width and run `batchSize`
 * at a time, each batch padded on the right (with 0, mid-grey after normalisation, as PaddleOCR
 * pads) to its widest crop, so similar widths share a run and little is wasted on padding.
 */
export class Recognizer {
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly file: string,
    private readonly characters: readonly string[],
    private readonly batchSize: number,
  ) {}

  async recognize(crops: readonly LineCrop[], signal?: AbortSignal): Promise<DecodedLine[]> {
    const results: DecodedLine[] = new Array(crops.length)
    const order = crops.map((_, i) => i).sort((a, b) => crops[a]!.width / crops[a]!.height - crops[b]!.width / crops[b]!.height)
    for (let start = 0; start < order.length; start += this.batchSize) {
      signal?.throwIfAborted()
      const members = order.slice(start, start + this.batchSize)
      const height = crops[members[0]!]!.height
      const width = Math.max(MIN_WIDTH, ...members.map((i) => crops[i]!.width))
      const plane = height * width
      const input = new Float32Array(members.length * 3 * plane)
      members.forEach((index, n) => {
        const crop = crops[index]!
        for (let c = 0; c < 3; c++) {
          for (let y = 0; y < height; y++) {
            const from = c * crop.height * crop.width + y * crop.width
            input.set(crop.tensor.subarray(from, from + crop.width), n * 3 * plane + c * plane + y * width)
          }
        }
      })
      const feeds = { [this.session.inputNames[0]!]: new ort.Tensor('float32', input, [members.length, 3, height, width]) }
      const output = floatOutput(await this.session.run(feeds), this.session, this.file)
      const [batch, steps, classes] = [output.dims[0] ?? 0, output.dims[1] ?? 0, output.dims[2] ?? 0]
      if (batch !== members.length || output.dims.length !== 3) throw new Error(`${this.file} gave output ${output.dims.join('×')} for ${members.length} crops`)
      members.forEach((index, n) => {
        results[index] = ctcGreedyDecode(output.data, n * steps * classes, steps, classes, this.characters)
      })
    }
    return results
  }
}
