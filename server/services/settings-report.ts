import type { DownloadableModel, SettingsReport } from '../../shared/types/settings'
import { checkModelCapabilities } from '../../models/model-capabilities'
import { deviceReport } from '../../models/execution-device'
import { sharedModelRegistry } from '../../models/shared-registry'
import type { SagasuApp } from '../app-context'
import { readEditableSettings } from './settings-file'

/** GET /api/settings: what the file says, and what the running server's models can do. */
export async function settingsReport(app: SagasuApp): Promise<SettingsReport> {
  const capabilities = await checkModelCapabilities(app.config, { registry: sharedModelRegistry(app.config) })
  const model = (kind: DownloadableModel) => ({
    state: capabilities[kind].state,
    reason: capabilities[kind].reason ?? null,
    source: capabilities[kind].source,
    device: deviceReport(kind)?.device ?? null,
    download: app.downloads.state(kind),
  })
  return {
    file: app.configFile ?? null,
    settings: readEditableSettings(app.configFile, app.config),
    models: { clip: model('clip'), tagger: model('tagger') },
  }
}
