import type { SagasuConfig } from '../../config/schema'
import { checkModelCapabilities } from '../../models/model-capabilities'
import { deviceReport, type DeviceModel } from '../../models/execution-device'
import { sharedModelRegistry } from '../../models/shared-registry'

/**
 * The model part of `GET /api/health` capabilities: `clip` and `tagger` are true when the model
 * is there or will be downloaded on first use; `clipReason` / `taggerReason` say, in one line, why
 * one is disabled or that it is not downloaded yet. `clipDevice` / `taggerDevice` / `ocrDevice` say
 * where each model ran when it last loaded in this process (`cpu`, `cuda`, `dml`, `coreml`; absent
 * before its first load), with `…DeviceReason` when it is on the CPU although a GPU was looked for.
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
  for (const model of ['clip', 'tagger', 'ocr'] satisfies DeviceModel[]) {
    const device = deviceReport(model)
    if (!device) continue
    report[`${model}Device`] = device.device
    if (device.fallback) report[`${model}DeviceReason`] = device.fallback
  }
  return report
}
