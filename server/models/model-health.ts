import type { SagasuConfig } from '../../config/schema'
import { checkModelCapabilities } from '../../models/model-capabilities'
import { sharedModelRegistry } from '../../models/shared-registry'

/**
 * The model part of `GET /api/health` capabilities: `clip` and `tagger` are true when the model
 * is there or will be downloaded on first use; `clipReason` / `taggerReason` say, in one line, why
 * one is disabled or that it is not downloaded yet.
 *
 * @example
 * await modelHealth(config) // { clip: false, clipReason: 'the model folder /m/clip (models.clip.path) does not exist', tagger: true }
 */
export async function modelHealth(config: SagasuConfig): Promise<Record<string, boolean | string>> {
  const capabilities = await checkModelCapabilities(config, { registry: sharedModelRegistry(config) })
  const report: Record<string, boolean | string> = {}
  for (const [kind, capability] of Object.entries(capabilities)) {
    report[kind] = capability.state !== 'disabled'
    if (capability.reason) report[`${kind}Reason`] = capability.reason
  }
  return report
}
