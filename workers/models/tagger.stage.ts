import type { SagasuConfig } from '../../config/schema'
import type { TagScore } from '../../shared/types/image'
import type { BatchItem, BatchOutcome, BatchStage } from '../stage'
import { runInChunks } from './batch-runner'
import type { DecodeNeed } from '../../models/decoded-image'
import { decodeImageFile } from '../../models/decoded-image'
import { MODEL_DECODE_NEED, modelImageFrom } from '../../models/model-image'
import type { ModelRegistry } from '../../models/model-registry'
import { sharedModelRegistry } from '../../models/shared-registry'
import type { ModelSource } from '../../models/model-sources'
import { taggerSource } from '../../models/model-sources'
import { selectTags } from '../../models/tag-selection'
import type { TaggerModel } from '../../models/tagger-model'

/**
 * The `tag` stage: WD14 v3 or DeepDanbooru tags with scores for each image, filtered by the
 * per-category thresholds of `config.thresholds`, ratings as `rating:*` (the best one always kept).
 *
 * @example
 * const stage = new TaggerStage(config)
 * await stage.load()
 * const [outcome] = await stage.run([{ imageId: 1, hash: '…', absPath: '/pics/a.png' }])
 */
export class TaggerStage implements BatchStage<TagScore[]> {
  readonly name = 'tag'
  private readonly source: ModelSource<TaggerModel>

  constructor(
    private readonly config: SagasuConfig,
    private readonly registry: ModelRegistry = sharedModelRegistry(config),
  ) {
    this.source = taggerSource(config)
  }

  version(): string {
    const { general, character } = this.config.thresholds
    return `tagger:${this.source.key.slice('tagger:'.length)};general=${general};character=${character}`
  }

  async load(): Promise<void> {
    await this.registry.preload(this.source.key, this.source.load)
  }

  decodeNeed(): DecodeNeed {
    return MODEL_DECODE_NEED
  }

  /** Rejects only when the model cannot be loaded (a ModelLoadError); bad images fail one by one. */
  async run(batch: BatchItem[]): Promise<Array<BatchOutcome<TagScore[]>>> {
    return this.registry.use(this.source.key, this.source.load, (tagger) =>
      runInChunks(batch, {
        chunkSize: this.config.models.batchSize,
        prepare: async (item) => {
          const { size, layout: { fit } } = tagger
          return modelImageFrom(item.decoded ?? (await decodeImageFile(item.absPath, item.root, [MODEL_DECODE_NEED])), size, fit)
        },
        infer: async (images) => (await tagger.predict(images)).map((scores) => selectTags(scores, tagger.layout.tags, this.config.thresholds)),
      }),
    )
  }

  async unload(): Promise<void> {
    await this.registry.unload(this.source.key)
  }
}
