import type { SagasuConfig } from '../config/schema'
import { ModelRegistry } from './model-registry'

let shared: ModelRegistry | undefined

/**
 * The process's one registry, so the import worker and the search path share a loaded model.
 * Its idle time is the first config's `models.idleUnloadSeconds` (one config per process).
 */
export function sharedModelRegistry(config: SagasuConfig): ModelRegistry {
  shared ??= new ModelRegistry(config.models.idleUnloadSeconds)
  return shared
}
