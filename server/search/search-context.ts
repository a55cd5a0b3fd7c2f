import type { SagasuConfig } from '../../config/schema'
import { checkModelCapabilities } from '../../workers/models/model-capabilities'
import { sharedModelRegistry } from '../../workers/models/shared-registry'
import { clipEncoder } from './clip-encoder'
import type { SearchContext } from './search-images'
import type { ClipEncoder } from './similarity-search'

/**
 * What CLIP search can use in this process: the encoder when the CLIP model is there (or will be
 * downloaded), otherwise the one-line reason it is not — checked on each call, so a model that
 * fails to load is reported from then on.
 */
export function searchContextFor(config: SagasuConfig): () => Promise<SearchContext> {
  let encoder: ClipEncoder | undefined
  return async () => {
    const { clip } = await checkModelCapabilities(config, { registry: sharedModelRegistry(config) })
    if (clip.state === 'disabled') return { clipUnavailable: clip.reason ?? 'CLIP is disabled', weights: config.search.weights }
    encoder ??= clipEncoder(config)
    return { clip: encoder, weights: config.search.weights }
  }
}
