import type { BatchItem, BatchOutcome } from '../stage'
import { ModelImageError } from '../../models/model-image'
import { firstLine } from '../../models/model-load-error'

export interface ChunkedRunOptions<Prepared, Output> {
  /** Images per inference call; bounds memory to two chunks of prepared inputs. */
  chunkSize: number
  /** Resize one image for the model, decoding it first unless `item.decoded` has it (sharp runs on libuv's threads). */
  prepare(item: BatchItem): Promise<Prepared>
  /** One inference call over a chunk; one output per input, in order. */
  infer(prepared: Prepared[]): Promise<Output[]>
}

type Prepared<P> = { ok: true; value: P } | { ok: false; reason: string }

/**
 * Runs a batch through prepare → infer in chunks, preparing chunk k+1 while chunk k is inferred
 * (onnxruntime-node runs a session on the JavaScript thread; sharp's work started before it keeps
 * going on other threads). A file that cannot be prepared fails alone; an inference error fails
 * its chunk. Never throws for a bad image.
 *
 * @example
 * const outcomes = await runInChunks(batch, { chunkSize: 8, prepare: (item) => loadModelImage(item.absPath, 448, 'pad-white'), infer: (images) => tagger.predict(images) })
 */
export async function runInChunks<P, O>(batch: BatchItem[], options: ChunkedRunOptions<P, O>): Promise<Array<BatchOutcome<O>>> {
  const size = Math.max(1, options.chunkSize)
  const chunks: BatchItem[][] = []
  for (let start = 0; start < batch.length; start += size) chunks.push(batch.slice(start, start + size))
  const prepareChunk = (chunk: BatchItem[]) => Promise.all(chunk.map((item) => prepareOne(item, options.prepare)))
  const outcomes: Array<BatchOutcome<O>> = []
  let next = chunks.length > 0 ? prepareChunk(chunks[0]!) : undefined
  for (let index = 0; index < chunks.length; index++) {
    const prepared = await next!
    next = index + 1 < chunks.length ? prepareChunk(chunks[index + 1]!) : undefined
    const ready = prepared.flatMap((entry) => (entry.ok ? [entry.value] : []))
    let results: O[] = []
    let failure: string | undefined
    if (ready.length > 0) {
      try {
        results = await options.infer(ready)
      } catch (error) {
        failure = `inference failed: ${firstLine(error)}`
      }
    }
    let position = 0
    for (const entry of prepared) {
      if (!entry.ok) outcomes.push({ status: 'failed', reason: entry.reason })
      else if (failure) outcomes.push({ status: 'failed', reason: failure })
      else outcomes.push({ status: 'done', output: results[position++]! })
    }
  }
  return outcomes
}

async function prepareOne<P>(item: BatchItem, prepare: (item: BatchItem) => Promise<P>): Promise<Prepared<P>> {
  try {
    return { ok: true, value: await prepare(item) }
  } catch (error) {
    return { ok: false, reason: error instanceof ModelImageError ? error.message : `cannot prepare the image: ${firstLine(error)}` }
  }
}
