import * as ort from 'onnxruntime-node'
import type { ModelImage } from './model-image'
import { type DeviceInUse, openOnDevice, sessionOptionsFor } from './execution-device'
import { ModelLoadError, cannotLoad } from './model-load-error'
import { OnnxFormatError, readOnnxGraphInfo } from './onnx-graph-info'
import type { TaggerLayout, TaggerLayoutKind } from './tagger-layout'
import { readTaggerLayout } from './tagger-layout'
import { DEFAULT_RUNTIME_SETTINGS, precisionFile, threadOptions, type RuntimeSettings } from './runtime-settings'

/**
 * A tagger loaded into onnxruntime-node: one session, fed NHWC float batches in the layout's
 * channel order and scale, returning one score per tag (sigmoid applied unless the graph ends in one).
 */
export interface TaggerModel {
  readonly layout: TaggerLayout
  /** The input side images must be resized to. */
  readonly size: number
  /** Where the session runs (`models.device`, or the CPU it fell back to). */
  readonly device: DeviceInUse
  /** Scores per image, in the layout's tag order. */
  predict(images: ModelImage[]): Promise<Float32Array[]>
  release(): Promise<void>
}

const LAYOUT_NAMES: Record<TaggerLayoutKind, string> = { wd14: 'the WD14 v3 layout', deepdanbooru: 'the DeepDanbooru layout' }

/**
 * Loads the tagger in `folder`. Every failure is a ModelLoadError naming the file: a missing file,
 * a corrupt ONNX, an input that is not NHWC float with 3 channels, an input size other than the
 * layout's, an output count other than the tag count, an int8 precision without the quantized copy.
 *
 * @example
 * const tagger = await loadTaggerModel('test/fixtures/models/tiny-wd14', 'auto')
 */
export async function loadTaggerModel(folder: string, layoutKind: TaggerLayoutKind | 'auto', settings: RuntimeSettings = DEFAULT_RUNTIME_SETTINGS): Promise<TaggerModel> {
  const layout = readTaggerLayout(folder, layoutKind)
  const file = precisionFile('tagger', layout.modelFile, settings.precision, 'models.tagger.precision')
  let opened: { value: ort.InferenceSession; device: DeviceInUse }
  try {
    opened = await openOnDevice('tagger', settings.device, (device) => ort.InferenceSession.create(file, {
      ...sessionOptionsFor(device),
      graphOptimizationLevel: 'all',
      ...threadOptions(settings.threads),
    }))
  } catch (error) {
    throw new ModelLoadError('tagger', cannotLoad(file, error), { cause: error })
  }
  const { value: session, device } = opened
  try {
    const shape = checkGraph(layout, file, session)
    return new OnnxTagger(layout, session, shape.size, shape.applySigmoid, device)
  } catch (error) {
    await session.release().catch(() => undefined)
    throw error
  }
}

function checkGraph(layout: TaggerLayout, file: string, session: ort.InferenceSession): { size: number; applySigmoid: boolean } {
  const fail = (message: string): never => {
    throw new ModelLoadError('tagger', `${file}: ${message}`)
  }
  let info
  try {
    info = readOnnxGraphInfo(file)
  } catch (error) {
    if (error instanceof OnnxFormatError) fail(`cannot read the graph: ${error.message}`)
    throw error
  }
  const inputName = session.inputNames[0]
  const outputName = session.outputNames[0]
  if (session.inputNames.length !== 1 || !inputName || !outputName) fail(`expected one image input, the graph has ${session.inputNames.length} (${session.inputNames.join(', ')})`)
  const input = info.inputs.find((value) => value.name === inputName)
  if (!input) return fail(`the graph does not describe its input ${inputName}`)
  if (input.elemType !== 1) fail(`the input ${inputName} is not float32 (ONNX type ${input.elemType})`)
  const [, height, width, channels] = input.shape
  if (input.shape.length !== 4 || channels !== 3) fail(`the input ${inputName} is [${input.shape.map(describeDim).join(', ')}]; ${LAYOUT_NAMES[layout.kind]} takes NHWC [batch, ${layout.size}, ${layout.size}, 3]`)
  for (const side of [height, width]) {
    if (typeof side === 'number' && side !== layout.size) {
      fail(`the input is ${describeDim(height)}×${describeDim(width)} but ${LAYOUT_NAMES[layout.kind]} (${layout.tagsFile}) takes ${layout.size}×${layout.size}; is the model in the wrong folder?`)
    }
  }
  const output = info.outputs.find((value) => value.name === outputName)
  const count = output?.shape.at(-1)
  if (typeof count === 'number' && count !== layout.tags.length) fail(`the model outputs ${count} scores but ${layout.tagsFile} lists ${layout.tags.length} tags`)
  return { size: layout.size, applySigmoid: !info.sigmoidOutputs.get(outputName!) }
}

function describeDim(dim: number | string | null | undefined): string {
  return dim === null || dim === undefined ? '?' : String(dim)
}

class OnnxTagger implements TaggerModel {
  constructor(
    readonly layout: TaggerLayout,
    private readonly session: ort.InferenceSession,
    readonly size: number,
    private readonly applySigmoid: boolean,
    readonly device: DeviceInUse,
  ) {}

  async predict(images: ModelImage[]): Promise<Float32Array[]> {
    if (images.length === 0) return []
    const pixels = this.size * this.size
    const input = new Float32Array(images.length * pixels * 3)
    const bgr = this.layout.channels === 'bgr'
    const factor = this.layout.scale === 255 ? 1 : 1 / 255
    images.forEach((image, n) => {
      if (image.width !== this.size || image.height !== this.size || image.data.length !== pixels * 3) {
        throw new Error(`image ${n} is ${image.width}×${image.height}, the tagger takes ${this.size}×${this.size}`)
      }
      const data = image.data
      let out = n * pixels * 3
      for (let i = 0; i < data.length; i += 3) {
        input[out++] = (bgr ? data[i + 2]! : data[i]!) * factor
        input[out++] = data[i + 1]! * factor
        input[out++] = (bgr ? data[i]! : data[i + 2]!) * factor
      }
    })
    const inputName = this.session.inputNames[0]!
    const outputName = this.session.outputNames[0]!
    const results = await this.session.run({ [inputName]: new ort.Tensor('float32', input, [images.length, this.size, this.size, 3]) })
    const output = results[outputName]!
    const scores = output.data as Float32Array
    const perImage = scores.length / images.length
    if (perImage !== this.layout.tags.length) {
      throw new Error(`the model returned ${perImage} scores per image but ${this.layout.tagsFile} lists ${this.layout.tags.length} tags`)
    }
    return images.map((_, n) => {
      const row = scores.slice(n * perImage, (n + 1) * perImage)
      if (this.applySigmoid) for (let i = 0; i < row.length; i++) row[i] = 1 / (1 + Math.exp(-row[i]!))
      return row
    })
  }

  async release(): Promise<void> {
    await this.session.release()
  }
}
