import type { SagasuConfig } from '../../config/schema'
import type { BatchItem, BatchOutcome, BatchStage } from '../stage'
import { runInChunks } from './batch-runner'
import type { ClipModel } from '../../models/clip-model'
import type { DecodeNeed } from '../../models/decoded-image'
import { decodeImageFile } from '../../models/decoded-image'
import { MODEL_DECODE_NEED, modelImageFrom } from '../../models/model-image'
import type { ModelRegistry } from '../../models/model-registry'
import type { ModelSource } from '../../models/model-sources'
import { clipSource } from '../../models/model-sources'
import { sharedModelRegistry } from '../../models/shared-registry'

/**
 * The `embed` stage: an L2-normalised CLIP image embedding per image. Also the text side for
 * CLIP search (`embedText`), sharing the one loaded model through the registry.
 *
 * @example
 * const clip = new ClipStage(config)
 * const [query] = await clip.embedText(['red hair'])
 */
export class ClipStage implements BatchStage<Float32Array> {
  readonly name = 'embed'
  private readonly source: ModelSource<ClipModel>

  constructor(
    private readonly config: SagasuConfig,
    private readonly registry: ModelRegistry = sharedModelRegistry(config),
  ) {
    this.source = clipSource(config)
  }

  version(): string {
    return this.source.key
  }

  async load(): Promise<void> {
    await this.registry.preload(this.source.key, this.source.load)
  }

  decodeNeed(): DecodeNeed {
    return MODEL_DECODE_NEED
  }

  async run(batch: BatchItem[]): Promise<Array<BatchOutcome<Float32Array>>> {
    return this.registry.use(this.source.key, this.source.load, (clip) =>
      runInChunks(batch, {
        chunkSize: this.config.models.batchSize,
        prepare: async (item) => modelImageFrom(item.decoded ?? (await decodeImageFile(item.absPath, item.root, [MODEL_DECODE_NEED])), clip.imageSize, 'cover'),
        infer: (images) => clip.embedImages(images),
      }),
    )
  }

  /** L2-normalised text embeddings, in the same space as the images'. */
  async embedText(texts: string[]): Promise<Float32Array[]> {
    return this.registry.use(this.source.key, this.source.load, (clip) => clip.embedText(texts))
  }

  async unload(): Promise<void> {
    await this.registry.unload(this.source.key)
  }
}
