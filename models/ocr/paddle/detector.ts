import * as ort from 'onnxruntime-node'
import sharp from 'sharp'
import { dbBoxes, type DbSettings, type DetectedBox } from './db-boxes'
import { detectionSize } from './detection-size'
import { floatOutput } from './onnx-session'
import { bgrOffsets, type Raster } from './raster'

/** ImageNet mean and deviation in B, G, R order: PaddleOCR normalises OpenCV's BGR array with the RGB-ordered constants. */
const MEAN = [0.485, 0.456, 0.406] as const
const STD = [0.229, 0.224, 0.225] as const

/** PP-OCR's DB text detector: the image at `longSide`, one run, the probability map turned into boxes. */
export class Detector {
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly file: string,
    private readonly limits: { minLongSide: number; maxLongSide: number },
    private readonly db: DbSettings,
  ) {}

  async detect(image: Raster): Promise<DetectedBox[]> {
    const size = detectionSize(image.width, image.height, this.limits)
    const resized = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
      .resize(size.width, size.height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true })
    const { data, info } = resized
    const plane = size.width * size.height
    const input = new Float32Array(3 * plane)
    const offsets = bgrOffsets(info.channels)
    for (let c = 0; c < 3; c++) {
      const offset = offsets[c]!, mean = MEAN[c]!, std = STD[c]!
      for (let i = 0; i < plane; i++) input[c * plane + i] = (data[i * info.channels + offset]! / 255 - mean) / std
    }
    const feeds = { [this.session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, size.height, size.width]) }
    const output = floatOutput(await this.session.run(feeds), this.session, this.file)
    const [mapHeight, mapWidth] = [output.dims[2] ?? 0, output.dims[3] ?? 0]
    if (mapHeight !== size.height || mapWidth !== size.width) throw new Error(`${this.file} gave a ${output.dims.join('×')} map for a ${size.height}×${size.width} input`)
    return dbBoxes(output.data, mapWidth, mapHeight, image.width / size.width, image.height / size.height, this.db)
  }
}
