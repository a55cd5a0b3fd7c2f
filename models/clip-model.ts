import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  AutoProcessor,
  AutoTokenizer,
  CLIPTextModelWithProjection,
  CLIPVisionModelWithProjection,
  RawImage,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type Processor,
  type Tensor,
} from '@huggingface/transformers'
import { CLIP_FILES, clipFilesFor } from './clip-files'
import type { ModelImage } from './model-image'
import { type DeviceInUse, openOnDevice, transformersOptionsFor } from './execution-device'
import { ModelLoadError, cannotLoad } from './model-load-error'
import type { HubOptions } from './model-hub'
import { isModelId, localModelFolder, missingFiles, probeHub } from './model-hub'
import { DEFAULT_RUNTIME_SETTINGS, threadOptions, type RuntimeSettings } from './runtime-settings'

/** A CLIP model's two towers, loaded through transformers.js (ONNX, fp32 or int8) on `models.device`. */
export interface ClipModel {
  /** Where the files were read from. */
  readonly folder: string
  /** The shorter image side the processor works at (224 for ViT-B/32); images are pre-shrunk to it. */
  readonly imageSize: number
  /** Where both towers run (`models.device`, or the CPU it fell back to). */
  readonly device: DeviceInUse
  /** L2-normalised text embeddings, one per text. */
  embedText(texts: string[]): Promise<Float32Array[]>
  /** L2-normalised image embeddings, one per image (RGB, shorter side `imageSize`). */
  embedImages(images: ModelImage[]): Promise<Float32Array[]>
  release(): Promise<void>
}

/** A local folder (`models.clip.path`), or a hub id downloaded once into `<dataDir>/models`. */
export type ClipSource = { folder: string } | ({ name: string } & HubOptions)

/**
 * Loads tokenizer, processor and both towers. Failures are ModelLoadError("CLIP disabled: …")
 * naming the missing or broken file; with a hub id and no network it fails within `timeoutMs`.
 *
 * @example
 * const clip = await loadClipModel({ folder: 'test/fixtures/models/tiny-clip' })
 * const [red] = await clip.embedText(['red'])
 */
export async function loadClipModel(source: ClipSource, settings: RuntimeSettings = DEFAULT_RUNTIME_SETTINGS): Promise<ClipModel> {
  const files = clipFilesFor(settings.precision)
  const { id, folder } = await prepareSource(source, files)
  const [textFile, visionFile] = files.filter((file) => file.startsWith('onnx/'))
  const attempt = async <T>(file: string, load: () => Promise<T>): Promise<T> => {
    try {
      return await load()
    } catch (error) {
      // transformers.js says "protobuf parsing failed" without naming the file.
      throw new ModelLoadError('clip', cannotLoad(join(folder, file), error), { cause: error })
    }
  }
  const tokenizer = await attempt('tokenizer.json', () => AutoTokenizer.from_pretrained(id))
  const processor = await attempt('preprocessor_config.json', () => AutoProcessor.from_pretrained(id))
  const { value: [textModel, visionModel], device } = await openOnDevice('clip', settings.device, async (device) => {
    const onDevice = transformersOptionsFor(device)
    // q8 is transformers.js's name for the dynamically quantized `*_quantized.onnx` towers.
    const options = {
      dtype: settings.precision === 'int8' ? 'q8' : 'fp32',
      ...onDevice,
      session_options: { ...onDevice.session_options, ...threadOptions(settings.threads) },
    } as const
    const text = await attempt(textFile!, () => CLIPTextModelWithProjection.from_pretrained(id, options))
    const vision = await attempt(visionFile!, () => CLIPVisionModelWithProjection.from_pretrained(id, options)).catch(async (error: unknown) => {
      await text.dispose().catch(() => undefined)
      throw error
    })
    return [text, vision] as const
  })
  return new TransformersClip(folder, imageSizeOf(folder), tokenizer, processor, textModel, visionModel, device)
}

async function prepareSource(source: ClipSource, files: readonly string[]): Promise<{ id: string; folder: string }> {
  // transformers.js keeps its settings in one global object; only one CLIP is loaded per process.
  env.allowLocalModels = true
  if ('folder' in source) {
    const missing = missingFiles(source.folder, files)
    if (!existsSync(source.folder)) throw new ModelLoadError('clip', `the model folder ${source.folder} (models.clip.path) does not exist`)
    if (missing.length > 0) throw new ModelLoadError('clip', `${join(source.folder, missing[0]!)} is missing (a CLIP folder needs ${files.join(', ')}${files === CLIP_FILES ? '' : ' for models.clip.precision int8'})`)
    env.allowRemoteModels = false
    env.useFSCache = false
    // An absolute path is used as the folder itself, whatever localModelPath says.
    return { id: source.folder, folder: source.folder }
  }
  if (!isModelId(source.name)) throw new ModelLoadError('clip', `models.clip.name "${source.name}" is not a model id such as Xenova/clip-vit-base-patch32`)
  const folder = localModelFolder(source.modelsDir, source.name)
  env.localModelPath = `${source.modelsDir}/`
  env.cacheDir = source.modelsDir
  env.useFSCache = true
  env.remoteHost = `${source.hubUrl.replace(/\/+$/, '')}/`
  if (missingFiles(folder, files).length === 0) {
    env.allowRemoteModels = false
    return { id: source.name, folder }
  }
  const unreachable = await probeHub(source.name, 'config.json', source)
  if (unreachable) {
    throw new ModelLoadError('clip', `${source.name} is not in ${folder} and cannot be downloaded (${unreachable}); ` +
      'set models.clip.path to a local CLIP folder for an offline install (docs/models.md)')
  }
  env.allowRemoteModels = true
  return { id: source.name, folder }
}

/** preprocessor_config.json gives `size` as a number or `{ shortest_edge }`. */
function imageSizeOf(folder: string): number {
  try {
    const config = JSON.parse(readFileSync(join(folder, 'preprocessor_config.json'), 'utf8')) as { size?: number | { shortest_edge?: number } }
    const size = typeof config.size === 'number' ? config.size : config.size?.shortest_edge
    return typeof size === 'number' && size > 0 ? size : 224
  } catch {
    return 224
  }
}

class TransformersClip implements ClipModel {
  constructor(
    readonly folder: string,
    readonly imageSize: number,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly processor: Processor,
    private readonly textModel: PreTrainedModel,
    private readonly visionModel: PreTrainedModel,
    readonly device: DeviceInUse,
  ) {}

  async embedText(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return []
    const inputs = this.tokenizer(texts, { padding: true, truncation: true })
    const { text_embeds: embeds } = (await this.textModel(inputs)) as { text_embeds: Tensor }
    return normalisedRows(embeds)
  }

  async embedImages(images: ModelImage[]): Promise<Float32Array[]> {
    if (images.length === 0) return []
    const raw = images.map((image) => new RawImage(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height, 3))
    const inputs = await this.processor(raw)
    const { image_embeds: embeds } = (await this.visionModel(inputs)) as { image_embeds: Tensor }
    return normalisedRows(embeds)
  }

  async release(): Promise<void> {
    await Promise.all([this.textModel.dispose(), this.visionModel.dispose()])
  }
}

function normalisedRows(tensor: Tensor): Float32Array[] {
  const [rows, columns] = tensor.dims as [number, number]
  const data = tensor.data as Float32Array
  return Array.from({ length: rows }, (_, row) => {
    const vector = data.slice(row * columns, (row + 1) * columns)
    let norm = 0
    for (const x of vector) norm += x * x
    norm = Math.sqrt(norm)
    // An all-zero output has no direction; it stays zero rather than becoming NaN.
    if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm
    return vector
  })
}
