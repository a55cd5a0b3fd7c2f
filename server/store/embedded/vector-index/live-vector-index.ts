import { availableParallelism } from 'node:os'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { VectorIndexStats } from '../../store'
import type { EmbeddingQueries } from '../embedding-queries'
import { HnswIndex, type HnswParameters } from './hnsw-index'
import { IndexFiles, type IndexMeta } from './index-files'
import type { InMemoryVectors } from './nearest-planner'
import { QuantizedVectors } from './quantized-vectors'

/** Changes applied at once on a query or a write; a longer backlog is applied in the background. */
const SYNC_CATCH_UP = 2_000
/** Vectors per step of a background build or catch-up (one step holds the event loop ~0.5 s). */
const STEP = 1_000
/** Save after this long without further changes, so a restart replays a short log. */
const SAVE_DELAY_MS = 60_000

export interface VectorIndexSettings extends HnswParameters {
  /** `<dataDir>/vectors`. */
  dir: string
  log?: (message: string) => void
}

export type VectorIndexState = VectorIndexStats['state']

/** One model's graph and int8 copy, and how far along the change log they are. */
class ModelIndex {
  hnsw: HnswIndex | undefined
  quantized: QuantizedVectors | undefined
  seq = 0
  state: VectorIndexState = 'absent'
  task: Promise<void> | undefined
  unsaved = 0
  saveTimer: NodeJS.Timeout | undefined

  constructor(readonly model: string, readonly dims: number, readonly files: IndexFiles) {}
}

/**
 * The HNSW graphs and int8 copies of every model, kept in step with SQLite (the source of truth): loaded from
 * `<dataDir>/vectors` (or built from the stored embeddings) in the background, and brought up to
 * date from the `embedding_changes` log — this connection's writes right after they commit, other
 * processes' when a query notices them. While a graph is missing or far behind, `ready` answers
 * undefined and the caller scans exactly.
 */
export class LiveVectorIndex {
  private readonly models = new Map<string, ModelIndex>()
  private closed = false
  private readonly log: (message: string) => void

  constructor(private readonly queries: EmbeddingQueries, private readonly settings: VectorIndexSettings) {
    this.log = settings.log ?? (() => {})
  }

  /** Loads or builds the graph of every model that has embeddings; resolves when all are ready. */
  async warmUp(): Promise<void> {
    await Promise.all(this.queries.models().map((model) => this.start(model)))
  }

  /**
   * The model's graph and int8 copy when they hold every change committed so far (a short backlog
   * is applied here); undefined when they are missing or far behind — then loading or catching up starts.
   */
  ready(model: string): InMemoryVectors | undefined {
    if (this.closed) return undefined
    const entry = this.entry(model)
    if (!entry) return undefined
    if (entry.hnsw && !entry.task && entry.seq < this.queries.logFloor(model)) {
      // Another process saved a newer index and pruned the log past this one: start from its file.
      this.log(`vector index of ${model} in memory is older than the change log; reloading the saved one`)
      Object.assign(entry, { hnsw: undefined, quantized: undefined, state: 'absent', unsaved: 0 })
    }
    if (entry.state === 'absent') {
      // A saved graph is read at once (a CLI query wants it now); building one waits for the background.
      if (this.loadSaved(entry)) entry.state = 'behind'
      else void this.start(model)
    }
    if (entry.state !== 'ready' && entry.state !== 'behind') return undefined
    if (entry.task) return undefined
    const pending = this.queries.pendingChanges(model, entry.seq)
    if (pending === 0) {
      entry.state = 'ready'
      return inMemory(entry)
    }
    if (pending <= SYNC_CATCH_UP) {
      this.catchUp(entry, SYNC_CATCH_UP)
      entry.state = 'ready'
      return inMemory(entry)
    }
    entry.state = 'behind'
    entry.task = this.catchUpInBackground(entry).finally(() => {
      entry.task = undefined
    })
    return undefined
  }

  /** After a write of this connection: graphs in memory take the changes now. */
  afterWrite(): void {
    for (const entry of this.models.values()) {
      if (entry.hnsw && (entry.state === 'ready' || entry.state === 'behind') && !entry.task) this.ready(entry.model)
    }
  }

  /** Builds the model's graph afresh from SQLite, saves it atomically and uses it from now on. */
  async rebuild(model: string, onProgress: (done: number, total: number) => void = () => {}): Promise<VectorIndexStats | undefined> {
    const dims = this.queries.dims(model)
    if (dims === undefined) return undefined
    const entry = this.entry(model)!
    await entry.task
    const rebuilt = new ModelIndex(model, dims, entry.files)
    rebuilt.state = 'loading'
    await this.build(rebuilt, onProgress)
    this.catchUp(rebuilt, Infinity)
    this.save(rebuilt)
    clearTimeout(entry.saveTimer)
    Object.assign(entry, { hnsw: rebuilt.hnsw, quantized: rebuilt.quantized, seq: rebuilt.seq, state: 'ready', unsaved: 0 })
    return this.stats(model)
  }

  stats(model: string): VectorIndexStats | undefined {
    const dims = this.queries.dims(model)
    if (dims === undefined) return undefined
    const entry = this.models.get(model)
    const files = entry?.files ?? new IndexFiles(this.settings.dir, model)
    const seq = entry?.hnsw ? entry.seq : files.meta()?.seq ?? 0
    return {
      model,
      dims,
      vectors: this.queries.count(model),
      indexed: entry?.hnsw?.size() ?? 0,
      state: entry?.state ?? 'absent',
      fileBytes: files.savedBytes(),
      pending: this.queries.pendingChanges(model, seq),
    }
  }

  allStats(): VectorIndexStats[] {
    return this.queries.models().map((model) => this.stats(model)!).filter(Boolean)
  }

  /** Saves what changed since the last save, then stops. */
  close(): void {
    if (this.closed) return
    this.closed = true
    for (const entry of this.models.values()) {
      clearTimeout(entry.saveTimer)
      if (entry.hnsw && entry.unsaved > 0 && !entry.task) this.save(entry)
      entry.hnsw = undefined
      entry.quantized = undefined
    }
  }

  private entry(model: string): ModelIndex | undefined {
    let entry = this.models.get(model)
    if (entry) return entry
    const dims = this.queries.dims(model)
    if (dims === undefined) return undefined
    entry = new ModelIndex(model, dims, new IndexFiles(this.settings.dir, model))
    this.models.set(model, entry)
    return entry
  }

  /** Loads (or builds) in the background, once per model. */
  private start(model: string): Promise<void> {
    const entry = this.entry(model)
    if (!entry) return Promise.resolve()
    if (entry.task) return entry.task
    if (entry.state !== 'absent') return Promise.resolve()
    entry.state = 'loading'
    entry.task = this.prepare(entry).finally(() => {
      entry.task = undefined
    })
    return entry.task
  }

  private async prepare(entry: ModelIndex): Promise<void> {
    const started = Date.now()
    try {
      if (!this.loadSaved(entry)) {
        await this.build(entry)
        if (this.closed) return
        this.save(entry)
      }
      await this.catchUpInBackground(entry)
      this.log(`vector index of ${entry.model} ready: ${entry.hnsw?.size() ?? 0} vectors (${Date.now() - started} ms)`)
    } catch (error) {
      entry.state = 'absent'
      entry.hnsw = undefined
      entry.quantized = undefined
      this.log(`vector index of ${entry.model} not available, searching exactly: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  /** Reads the saved graph and int8 copy when they fit the current settings; false when there are none. */
  private loadSaved(entry: ModelIndex): boolean {
    const meta: IndexMeta | undefined = entry.files.usable(entry.dims, this.settings)
    if (!meta || meta.seq < this.queries.logFloor(entry.model)) return false
    try {
      entry.hnsw = HnswIndex.load(entry.files.graphPath(meta), entry.dims, this.settings)
      entry.quantized = QuantizedVectors.load(entry.files.quantizedPath(meta), entry.dims)
      entry.seq = meta.seq
      return true
    } catch (error) {
      this.log(`vector index file of ${entry.model} unreadable, rebuilding: ${error instanceof Error ? error.message : String(error)}`)
      return false
    }
  }

  /** A fresh graph of every stored vector, a step at a time. */
  private async build(entry: ModelIndex, onProgress: (done: number, total: number) => void = () => {}): Promise<void> {
    // Changes committed while building are applied afterwards from the log.
    entry.seq = this.queries.lastSeq()
    const hnsw = HnswIndex.create(entry.dims, this.settings)
    const total = this.queries.count(entry.model)
    const quantized = new QuantizedVectors(entry.dims, total)
    const threads = Math.max(1, availableParallelism())
    let after = 0
    let done = 0
    for (;;) {
      if (this.closed) return
      const rows = this.queries.chunk(entry.model, after, STEP)
      if (!rows.length) break
      const vectors = new Float32Array(rows.length * entry.dims)
      const bytes = new Uint8Array(vectors.buffer)
      rows.forEach((row, r) => bytes.set(row.vector, r * entry.dims * 4))
      const ids = rows.map((row) => row.image_id)
      hnsw.add(ids, vectors, threads)
      quantized.add(ids, vectors)
      done += rows.length
      after = rows.at(-1)!.image_id
      onProgress(done, total)
      await nextTurn()
    }
    entry.hnsw = hnsw
    entry.quantized = quantized
    entry.state = 'behind'
  }

  private async catchUpInBackground(entry: ModelIndex): Promise<void> {
    while (!this.closed && entry.hnsw && this.catchUp(entry, STEP) === STEP) await nextTurn()
    if (!this.closed && entry.hnsw) entry.state = 'ready'
  }

  /** Applies up to `limit` logged changes after the graph's position; returns how many. */
  private catchUp(entry: ModelIndex, limit: number): number {
    const { hnsw, quantized } = entry
    if (!hnsw || !quantized) return 0
    const changes = this.queries.changesAfter(entry.model, entry.seq, Number.isFinite(limit) ? limit : -1)
    if (!changes.length) return 0
    const ids = [...new Set(changes.map((change) => change.imageId))]
    const added: number[] = []
    const vectors = new Float32Array(ids.length * entry.dims)
    const bytes = new Uint8Array(vectors.buffer)
    for (const id of ids) {
      const vector = this.queries.get(id, entry.model)
      if (vector) {
        bytes.set(vector, added.length * entry.dims * 4)
        added.push(id)
      } else {
        hnsw.remove(id)
        quantized.remove(id)
      }
    }
    hnsw.add(added, vectors.subarray(0, added.length * entry.dims), added.length > 64 ? availableParallelism() : 1)
    quantized.add(added, vectors.subarray(0, added.length * entry.dims))
    entry.seq = changes.at(-1)!.seq
    entry.unsaved += changes.length
    this.scheduleSave(entry)
    return changes.length
  }

  private scheduleSave(entry: ModelIndex): void {
    clearTimeout(entry.saveTimer)
    entry.saveTimer = setTimeout(() => {
      if (!this.closed && entry.hnsw && !entry.task && entry.unsaved > 0) this.save(entry)
    }, SAVE_DELAY_MS)
    entry.saveTimer.unref()
  }

  /**
   * Saves the index, then prunes the change log up to it: the log only has to reach back to the
   * saved file. An index older than the log's floor is not saved (a newer file exists).
   */
  private save(entry: ModelIndex): void {
    if (!entry.hnsw || !entry.quantized) return
    if (entry.seq < this.queries.logFloor(entry.model)) return
    entry.files.save(entry.hnsw, entry.quantized, {
      model: entry.model,
      dims: entry.dims,
      connectivity: this.settings.connectivity,
      expansionAdd: this.settings.expansionAdd,
      seq: entry.seq,
      vectors: entry.hnsw.size(),
    })
    entry.unsaved = 0
    this.queries.pruneChanges(entry.model, entry.seq)
  }
}

function inMemory(entry: ModelIndex): InMemoryVectors | undefined {
  return entry.hnsw && entry.quantized ? { hnsw: entry.hnsw, quantized: entry.quantized } : undefined
}
