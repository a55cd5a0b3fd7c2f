import type { SagasuConfig } from '../../config/schema'
import { checkModel } from '../../models/model-capabilities'
import { sharedModelRegistry } from '../../models/shared-registry'
import { clipEncoder } from './clip-encoder'
import { QueryError } from './query-error'
import type { SearchContext } from './search-images'
import type { ClipEncoder } from './similarity-search'

/**
 * What CLIP search can use in this process. Whether the CLIP model can work is checked when a
 * search ranks by similarity (not on every search), and again each time, so a model that fails to
 * load is reported from then on.
 */
export function searchContextFor(config: SagasuConfig): SearchContext {
  let encoder: ClipEncoder | undefined
  return {
    weights: config.search.weights,
    async clip() {
      const clip = await checkModel(config, 'clip', { registry: sharedModelRegistry(config) })
      if (clip.state === 'disabled') {
        throw new QueryError({ message: `CLIP search is not available: ${clip.reason ?? 'CLIP is disabled'}`, position: 0, hint: 'see GET /api/health (clipReason) and docs/models.md' })
      }
      encoder ??= clipEncoder(config)
      return encoder
    },
  }
}
