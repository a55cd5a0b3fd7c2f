import type { SagasuConfig } from '../../config/schema'
import { firstLine } from '../../models/model-load-error'
import { clipSource, taggerSource } from '../../models/model-sources'
import { sharedModelRegistry } from '../../models/shared-registry'
import type { DownloadableModel, ModelStatus } from '../../shared/types/settings'

export type DownloadState = NonNullable<ModelStatus['download']>

/**
 * Model downloads started from the settings page, one per model at a time. Loading the model once
 * through the shared registry is the download: the same code path as first use (files fetched from
 * `models.hubUrl` into dataDir/models, or read from `models.<kind>.path`), so a model that loads
 * here is one the stages and searches can use.
 */
export function createModelDownloads(config: SagasuConfig) {
  const states = new Map<DownloadableModel, DownloadState>()

  /** Starts a download; false when one of this model is already running. */
  function start(kind: DownloadableModel): boolean {
    if (states.get(kind)?.state === 'running') return false
    const state: DownloadState = { state: 'running', error: null }
    states.set(kind, state)
    const source = kind === 'clip' ? clipSource(config) : taggerSource(config)
    const registry = sharedModelRegistry(config)
    void registry.preload<{ release(): Promise<void> }>(source.key, source.load).then(
      () => { state.state = 'done' },
      (error: unknown) => {
        state.state = 'failed'
        state.error = firstLine(error)
      },
    )
    return true
  }

  return { start, state: (kind: DownloadableModel): DownloadState | null => (states.has(kind) ? { ...states.get(kind)! } : null) }
}

export type ModelDownloads = ReturnType<typeof createModelDownloads>
