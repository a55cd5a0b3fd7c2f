import type { DecodeNeed, Decoded } from '../models/decoded-image'

/**
 * The contracts of pipeline stages.
 *
 * File stages (parse filename, probe, AI metadata, thumbnail) run once per file inside
 * `index-file.ts`, on a buffer read once. Model stages (tagger, CLIP, OCR: a later issue) are
 * batched: a worker loads the model once, then feeds it batches of images until the queue
 * is empty or it idles out.
 */

/**
 * An expected failure of one file at one stage: it becomes an error record, the import goes on.
 * `transient` marks a failure of the machine rather than the file (the thumbnail could not be
 * written: disk full, read-only data directory): the next import tries the file again by itself.
 */
export class StageError extends Error {
  override name = 'StageError'
  readonly transient: boolean
  constructor(
    readonly stage: string,
    message: string,
    readonly level: 'error' | 'warning' = 'error',
    options: { transient?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.transient = options.transient ?? false
  }
}

/** What a batched model stage receives per image. */
export interface BatchItem {
  imageId: number
  hash: string
  /** The file (read from here when `decoded` is left out; named in error messages either way). */
  absPath: string
  /** The configured folder the file must lie inside when read (none for a query image). */
  root?: string
  /**
   * The image already read and decoded, once for every stage of a chunk (`model-stages.ts`), or
   * why it could not be. Left out (a query image, a benchmark), the stage decodes `absPath` itself.
   */
  decoded?: Decoded
}

export type BatchOutcome<Output> =
  | { status: 'done'; output: Output }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string }

/** A batched stage with a model loaded once per worker (implemented by the model issue). */
export interface BatchStage<Output> {
  readonly name: 'tag' | 'embed' | 'ocr'
  /** Changes when the model or its settings change, so stale outputs are recomputed. */
  version(): string
  load(): Promise<void>
  /** What this stage needs of the decode the chunk runner shares between the stages. */
  decodeNeed(): DecodeNeed
  run(batch: BatchItem[]): Promise<Array<BatchOutcome<Output>>>
  unload(): Promise<void>
}

