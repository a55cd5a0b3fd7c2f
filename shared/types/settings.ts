/** The settings the web app edits: the configuration keys of the same names. */
export interface EditableSettings {
  folders: Array<{ name: string; path: string; recursive: boolean }>
  models: {
    clip: { enabled: boolean; name: string; path?: string }
    tagger: { enabled: boolean; name: string; path?: string; layout: 'auto' | 'wd14' | 'deepdanbooru' }
    ocr: { enabled: boolean }
  }
  thresholds: { general: number; character: number }
}

export type DownloadableModel = 'clip' | 'tagger'

/** One model as the settings page shows it. */
export interface ModelStatus {
  /** `ready`: files there or loaded; `download`: fetched on first use or with the download button; `disabled` (see `reason`). */
  state: 'ready' | 'download' | 'disabled'
  reason: string | null
  /** The folder or model id the setting points at. */
  source: string
  /** Where the model ran when it last loaded in this server (`cpu`, `cuda`, `dml`, `coreml`); null before its first load. */
  device: string | null
  /** A download started from the settings page: running, finished or failed (with why). */
  download: { state: 'running' | 'done' | 'failed'; error: string | null } | null
}

/** `GET /api/settings`. */
export interface SettingsReport {
  /** The configuration file settings are written to; null when the server was started without one. */
  file: string | null
  settings: EditableSettings
  models: Record<DownloadableModel, ModelStatus>
}
