import { firstLine } from './model-load-error'

/** Anything the registry can hold: it only needs to free itself. */
export interface Releasable {
  release(): Promise<void>
}

export type ModelState =
  | { status: 'unloaded' }
  | { status: 'loading' }
  | { status: 'loaded' }
  | { status: 'failed'; reason: string }

interface Entry {
  loading?: Promise<Releasable>
  model?: Releasable
  users: number
  idleTimer?: NodeJS.Timeout
  failure?: string
}

/**
 * Loads each model once per process, shares it between the stages and searches that use it, and
 * unloads it after `idleUnloadSeconds` without use (0: never). A model in use is never unloaded;
 * the next use after an unload loads it again. The last load failure is kept for health reports.
 *
 * @example
 * const registry = new ModelRegistry(300)
 * const scores = await registry.use('tagger:/models/wd14', () => loadTaggerModel(...), (tagger) => tagger.predict(images))
 */
export class ModelRegistry {
  private readonly entries = new Map<string, Entry>()

  constructor(private readonly idleUnloadSeconds: number) {}

  /** Runs `work` with the model loaded; loads it first when needed. A load failure rejects. */
  async use<M extends Releasable, R>(key: string, load: () => Promise<M>, work: (model: M) => Promise<R>): Promise<R> {
    const entry = this.entry(key)
    entry.users++
    clearTimeout(entry.idleTimer)
    try {
      const model = (await this.loaded(key, entry, load)) as M
      return await work(model)
    } finally {
      entry.users--
      this.scheduleUnload(key, entry)
    }
  }

  /** Loads the model now (stage `load()`), without holding it. */
  async preload<M extends Releasable>(key: string, load: () => Promise<M>): Promise<void> {
    await this.use(key, load, async () => undefined)
  }

  state(key: string): ModelState {
    const entry = this.entries.get(key)
    if (!entry) return { status: 'unloaded' }
    if (entry.model) return { status: 'loaded' }
    if (entry.loading) return { status: 'loading' }
    if (entry.failure) return { status: 'failed', reason: entry.failure }
    return { status: 'unloaded' }
  }

  /** Frees the model unless something is using it (then it goes once idle). */
  async unload(key: string): Promise<void> {
    const entry = this.entries.get(key)
    if (!entry || entry.users > 0) return
    clearTimeout(entry.idleTimer)
    const model = entry.model ?? (await entry.loading?.catch(() => undefined))
    entry.model = undefined
    entry.loading = undefined
    await model?.release()
  }

  async unloadAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((key) => this.unload(key)))
  }

  private entry(key: string): Entry {
    let entry = this.entries.get(key)
    if (!entry) {
      entry = { users: 0 }
      this.entries.set(key, entry)
    }
    return entry
  }

  private async loaded(key: string, entry: Entry, load: () => Promise<Releasable>): Promise<Releasable> {
    if (entry.model) return entry.model
    if (!entry.loading) {
      entry.loading = load().then(
        (model) => {
          entry.model = model
          entry.failure = undefined
          return model
        },
        (error: unknown) => {
          // Not cached: a later use tries again (the file may have been fixed or downloaded meanwhile).
          entry.loading = undefined
          entry.failure = firstLine(error)
          throw error
        },
      )
    }
    return entry.loading
  }

  private scheduleUnload(key: string, entry: Entry): void {
    if (entry.users > 0 || !entry.model || this.idleUnloadSeconds <= 0) return
    clearTimeout(entry.idleTimer)
    entry.idleTimer = setTimeout(() => void this.unload(key), this.idleUnloadSeconds * 1000)
    // An idle model must not keep a CLI process alive.
    entry.idleTimer.unref()
  }
}
