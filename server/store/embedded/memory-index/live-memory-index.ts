import type Database from 'better-sqlite3'
import { IndexSource } from './index-source'
import type { ImageFacts } from './memory-index'
import { MemoryIndex } from './memory-index'

/** How long to wait for another process's writes to settle before loading again. */
const RELOAD_DELAY_MS = 2000

/**
 * Keeps a MemoryIndex in step with the database: loaded in the background at warm-up, changed with
 * every write this connection makes, and loaded again when another process (a `sagasu import` next
 * to a running server) commits — SQLite's `data_version` tells. Until it is ready, and while it is
 * behind, `current()` returns undefined and the store answers from SQL.
 */
export class LiveMemoryIndex {
  private index: MemoryIndex | undefined
  private ready = false
  private loading: Promise<void> | undefined
  private version = -1
  private closed = false
  private readonly source: IndexSource

  constructor(private readonly db: Database.Database, private readonly log: (message: string) => void = () => {}) {
    this.source = new IndexSource(db)
  }

  /** Starts loading (once); resolves when the index is ready. */
  warmUp(): Promise<void> {
    this.loading ??= this.load()
    return this.loading
  }

  /** The index when it is ready and no other process wrote since; otherwise undefined. */
  current(): MemoryIndex | undefined {
    if (!this.ready || this.closed) return undefined
    if (this.dataVersion() !== this.version) {
      this.ready = false
      this.loading = this.load(RELOAD_DELAY_MS)
      return undefined
    }
    return this.index
  }

  /**
   * Runs a write of this connection and applies it to the index: the facts of `ids` are read before
   * and after (`written` names the ids after the write when they are only known then). A failed write
   * changes nothing.
   */
  track<T>(ids: number[], write: () => T, written: (result: T) => number[] = () => ids): T {
    const index = this.index
    if (!index || this.closed) return write()
    const before = ids.map((id) => this.source.facts(id)).filter((facts): facts is ImageFacts => facts !== undefined)
    const result = write()
    for (const facts of before) index.forget(facts)
    for (const id of written(result)) {
      const facts = this.source.facts(id)
      if (facts) index.learn(facts)
    }
    return result
  }

  /** A tag's images and scores from the database (the index keeps a column of them once asked). */
  tagScores(tagId: number): { ids: Int32Array; scores: Float64Array } {
    return this.source.tagScores(tagId)
  }

  close(): void {
    this.closed = true
    this.index = undefined
  }

  private async load(delayMs = 0): Promise<void> {
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs))
    try {
      for (;;) {
        if (this.closed) return
        const version = this.dataVersion()
        const started = Date.now()
        const index = new MemoryIndex()
        this.index = index
        await this.source.load(index)
        if (this.closed) return
        if (this.dataVersion() === version) {
          this.version = version
          this.ready = true
          this.log(`search index in memory (${Date.now() - started} ms)`)
          return
        }
        // Another process wrote while this one loaded; what it changed may be missing.
        await new Promise((resolve) => setTimeout(resolve, RELOAD_DELAY_MS))
      }
    } catch (error) {
      if (this.closed) return
      this.index = undefined
      this.log(`search index in memory not available, counting in SQL: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number
  }
}
