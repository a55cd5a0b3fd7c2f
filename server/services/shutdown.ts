/**
 * The moment the server is told to stop (SIGTERM, SIGINT), before Nitro waits for open connections
 * to end: long-lived responses (the jobs page's event stream) end at once instead of holding the
 * shutdown for Nitro's whole timeout.
 */
const listeners = new Set<() => void>()
let stopping = false

/** Runs `listener` when the shutdown begins (at once if it has); returns the function that removes it. */
export function onShutdown(listener: () => void): () => void {
  if (stopping) {
    listener()
    return () => undefined
  }
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function beginShutdown(): void {
  if (stopping) return
  stopping = true
  for (const listener of listeners) listener()
  listeners.clear()
}
