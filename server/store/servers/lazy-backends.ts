import type { ServerFullText, ServerVectorIndex } from './backends'

/**
 * A backend that connects on first use, like the MongoDB client: opening the store stays
 * synchronous, and a backend that is down fails each call (StoreUnavailableError naming it)
 * instead of the start. A failed connection is tried again by the next call.
 */
function lazily<T extends object>(open: () => Promise<T>): () => Promise<T> {
  let opening: Promise<T> | undefined
  return () => {
    opening ??= open().catch((error: unknown) => {
      opening = undefined
      throw error
    })
    return opening
  }
}

export function lazyVectorIndex(open: () => Promise<ServerVectorIndex>): ServerVectorIndex {
  const get = lazily(open)
  let opened = false
  const using = <R>(call: (index: ServerVectorIndex) => Promise<R>) => get().then((index) => {
    opened = true
    return call(index)
  })
  return {
    warmUp: () => using((index) => index.warmUp()),
    ensureModel: (model, dims) => using((index) => index.ensureModel(model, dims)),
    upsert: (model, rows) => using((index) => index.upsert(model, rows)),
    get: (model, id) => using((index) => index.get(model, id)),
    refreshScalars: (id, scalars) => using((index) => index.refreshScalars(id, scalars)),
    remove: (ids) => using((index) => index.remove(ids)),
    search: (request) => using((index) => index.search(request)),
    models: () => using((index) => index.models()),
    stats: () => using((index) => index.stats()),
    rebuild: (model) => using((index) => index.rebuild(model)),
    // Closing a backend that never connected must not connect it.
    close: async () => (opened ? (await get()).close() : undefined),
  }
}

export function lazyFullText(name: string, open: () => Promise<ServerFullText>): ServerFullText {
  const get = lazily(open)
  let opened = false
  const using = <R>(call: (text: ServerFullText) => Promise<R>) => get().then((text) => {
    opened = true
    return call(text)
  })
  return {
    name,
    upsert: (documents) => using((text) => text.upsert(documents)),
    remove: (ids) => using((text) => text.remove(ids)),
    candidates: (target, text) => using((backend) => backend.candidates(target, text)),
    close: async () => (opened ? (await get()).close() : undefined),
  }
}
