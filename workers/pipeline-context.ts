import type { SagasuConfig } from '../config/schema'
import type { Store } from '../server/store/store'

/** What every pipeline step needs: the settings and the store. */
export interface PipelineContext {
  config: SagasuConfig
  store: Store
  /** Identifies this process in job leases: `host/pid`. */
  worker: string
  log: (message: string) => void
}
