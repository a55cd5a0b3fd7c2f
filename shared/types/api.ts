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
  /**
   * The failure came from the machine, not the file (disk full, read-only or failing data
   * directory, too many open files, a store that could not write): the next import tries the file
   * again by itself. Other errors stay until the file changes or `import --retry-errors`.
   */
  transient: boolean
  at: number
}

/** The parts of a similarity search's score. */
export interface ResultScores {
  /** CLIP similarity (cosine) to the query's text, image or similar image (their weighted sum). */
  clip?: number
  /** Share (0–1) of the search text's words found in the image's OCR text, AI prompt or tags1. */
  text?: number
}

/** An image in search results; `score` is what a similarity search ranks by (clip + weights.fullText × text), `scores` its parts. */
export type SearchResult = ImageRecord & { score?: number; scores?: ResultScores }

export interface SearchPage {
  total: number
  results: SearchResult[]
  /** Opaque; pass it back as `cursor` for the next page. null on the last page. */
  nextCursor: string | null
}

export interface HealthReport {
  name: 'sagasu'
  version: string
  profile: 'embedded' | 'servers'
  capabilities: Record<string, boolean | string>
  /** Whether each of the store's backends answers now (checked on every request, about 2 s at most). */
  backends: BackendsHealth
  /** Files the live library found but could not save because the store could not write; absent when there are none. */
  unsavedFiles?: UnsavedFiles
  /** How the live library follows the folders; absent when watching is off. */
  watch?: WatchReport
}

/** How the server's live library follows changes in the folders. */
export interface WatchReport {
  /** `starting`: the watchers are being set up and the first import runs; `watching`: changes are followed. */
  state: 'starting' | 'watching'
  folders: FolderWatch[]
  /**
   * File changes the live library has applied to the index since the server started (events of
   * watched folders, and what the re-scans of folders in `rescan` mode found): a client that made
   * a change waits for this to grow instead of guessing a time.
   */
  changesApplied: number
}

/** One folder's way of being followed. */
export interface FolderWatch {
  folder: string
  /** `events`: filesystem events; `rescan`: watching failed, so the folder is re-scanned every `rescanSeconds`. */
  mode: 'events' | 'rescan'
  /** Why watching failed, as the system said it (`rescan` only). */
  reason?: string
  /** When watching failed (ms since the epoch; `rescan` only). */
  since?: number
  rescanSeconds?: number
}

/**
 * Files waiting in memory because the store refused to write them (read-only, full, unreachable).
 * They are tried again every so often and by the next import; a restart finds them by its scan.
 */
export interface UnsavedFiles {
  count: number
  /** Why the store could not write, as the store said it. */
  reason: string
  /** When the first of them could not be saved (ms since the epoch). */
  since: number
  /** Up to 20 of them, as `folder/path`. */
  examples: string[]
}

/** A backend answered its health check, or why not, in one line. */
export type BackendHealth = { ok: true } | { ok: false; reason: string }

/** `sqlite` on the embedded profile; `mongodb`, `milvus` and (when configured) `meilisearch` on the servers profile. */
export interface BackendsHealth {
  sqlite?: BackendHealth
  mongodb?: BackendHealth
  milvus?: BackendHealth
  meilisearch?: BackendHealth
}

/** pixiv works by what is known about them, over the whole library. */
export interface PixivLibraryCounts {
  /** Distinct illust ids among the pixiv images. */
  works: number
  /** With metadata. */
  ok: number
  deleted: number
  restricted: number
  /** The last fetch failed transiently; the next run asks again. */
  failed: number
  /** Never asked about. */
  unfetched: number
}

/** What one run of `sagasu pixiv` (or POST /api/pixiv/fetch) did: the document `sagasu pixiv --json` prints. */
export interface PixivRunSummary {
  /** Works the run set out to fetch. */
  works: number
  /** Works asked about (fewer than `works` when interrupted). */
  done: number
  ok: number
  deleted: number
  restricted: number
  failed: number
  /** HTTP requests sent, retries included. */
  requests: number
  /** Images that got a user name from another image of the same user afterwards. */
  propagated: number
  /** Stopped before every work was asked about (Ctrl-C, server shutdown). */
  interrupted: boolean
}

/** GET /api/pixiv/status: the current or last background run, and the library's counts. */
export interface PixivJobStatus {
  running: boolean
  /** Works the current (or last) run set out to fetch; 0 before the first run. */
  total: number
  done: number
  /** Outcomes of the current (or last) run. */
  counts: { ok: number; deleted: number; restricted: number; failed: number }
  requests: number
  /** Set when the run has finished. */
  propagated: number | null
  interrupted: boolean
  /** The last work that could not be fetched, or what stopped the run. */
  lastError: { illustid: string | null; message: string; at: number } | null
  startedAt: number | null
  finishedAt: number | null
  library: PixivLibraryCounts
}

export type ModelStageName = 'tag' | 'embed' | 'ocr'

/** Progress of one model stage, for the CLI, `GET /api/jobs` and the jobs page. */
export interface StageProgress {
  stage: ModelStageName
  /** `idle`: nothing to do now; `running`; `disabled`: its model cannot load (`reason` says why). */
  state: 'idle' | 'running' | 'disabled'
  reason?: string
  /** Images done with the current model and settings, in the whole index. */
  done: number
  /** Images still to do. */
  pending: number
  /** In the current or last run: images handled and images that failed. */
  processed: number
  failed: number
  /** Images per second over the current or last run; 0 before its first batch. */
  rate: number
}

/** `GET /api/jobs`: the import queue and the model stages. */
export interface JobsReport {
  /** File jobs of imports (persisted queue). */
  files: { pending: number; running: number; failed: number }
  /** The enabled model stages; none when every model is turned off. */
  stages: StageProgress[]
  /** The current or last full import of this server; null before the first one (or with watching off). */
  import: ImportRunProgress | null
  /** How the live library follows the folders; null with watching off. */
  watch: WatchReport | null
}

/** The running server's current or last full import (a rescan, or one started from the UI). */
export interface ImportRunProgress {
  running: boolean
  /** `scan`: listing the folders; `index`: reading new and changed files; `sweep`: dropping what is gone. */
  phase: 'scan' | 'index' | 'sweep' | 'done'
  /** Files indexed so far, of `total` queued by the scan. */
  done: number
  total: number
  /** Files per second over this run's indexing; 0 before its first file. */
  rate: number
  startedAt: number
  finishedAt: number | null
  /** What the run did, once it has finished. */
  counts: ImportCounts | null
  /** Why the run stopped, when it failed. */
  error: string | null
}

/** Per-month image counts, tags and users for the stats page. */
export interface LibraryCharts {
  /** The most used tagger tags. */
  topTags: Array<{ name: string; category: string; count: number }>
  /** The users with the most images (pixiv and Twitter user ids). */
  topUsers: Array<{ type: SourceType; userid: string; username: string | null; images: number }>
  /** Images per month of their date (the source's date, else the file's modification time), oldest first. */
  byMonth: Array<{ month: string; images: number }>
}

/** `GET /api/stats`: the index counts and what the stats page charts. */
export interface StatsReport extends StoreStats {
  charts: LibraryCharts
}
