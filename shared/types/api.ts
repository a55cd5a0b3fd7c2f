import type { ImageRecord, SourceType } from './image'

export interface ImportCounts {
  scanned: number
  added: number
  updated: number
  moved: number
  removed: number
  unchanged: number
  errors: number
}

export interface StoreStats {
  images: number
  bytes: number
  byType: Record<SourceType, number>
  withAiParameters: number
  errors: number
  pendingJobs: number
  folders: Array<{ name: string; images: number }>
}

export interface ErrorRecord {
  folder: string
  path: string
  stage: string
  reason: string
  level: 'error' | 'warning'
  at: number
}

export interface SearchPage {
  total: number
  results: ImageRecord[]
  /** Opaque; pass it back as `cursor` for the next page. null on the last page. */
  nextCursor: string | null
}

export interface HealthReport {
  name: 'sagasu'
  version: string
  profile: 'embedded' | 'servers'
  capabilities: Record<string, boolean | string>
}
