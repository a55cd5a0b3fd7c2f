import { join } from 'node:path'
import type { FolderConfig } from '../../config/schema'
import type { DatasetSplit } from '../../shared/types/dataset'
import type { BatchSetRecord, Store } from '../store/store'
import { SPLITS } from './batch-plan'
import { toDatasetImage } from './dataset-images'

/** One image of a batch set, as `sagasu export-batches` writes it. */
export interface ExportRow {
  batch_set: string
  split: DatasetSplit
  /** 0-based batch number within the split. */
  batch: number
  /** 0-based position within the split. */
  position: number
  image_id: number
  hash: string
  folder: string
  path: string
  /** The file on this machine; empty when its folder is no longer configured. */
  file: string
  /** The original's URL on the server (`/files/…`, after the base URL when one is given). */
  url: string
  width: number
  height: number
  rating: string | null
  tags: string[]
  tags1: string[]
}

export const EXPORT_COLUMNS: ReadonlyArray<keyof ExportRow> = [
  'batch_set', 'split', 'batch', 'position', 'image_id', 'hash', 'folder', 'path', 'file', 'url', 'width', 'height', 'rating', 'tags', 'tags1',
]

/** Members read per store call. */
const SLICE = 1000

export interface ExportOptions {
  folders: FolderConfig[]
  splits?: readonly DatasetSplit[]
  /** Prefixed to the `/files/…` URLs, e.g. `http://127.0.0.1:3000`. */
  baseUrl?: string
  /** Told of each member whose content is no longer in the library (it gets no row). */
  onMissing?: () => void
}

/**
 * Every image of a batch set, split by split in batch order, read a slice at a time.
 *
 * @example
 * for await (const row of exportRows(store, record, { folders: config.folders })) out.write(toJsonLine(row))
 */
export async function* exportRows(store: Store, record: BatchSetRecord, options: ExportOptions): AsyncGenerator<ExportRow> {
  const roots = new Map(options.folders.map((folder) => [folder.name, folder.path]))
  const base = (options.baseUrl ?? '').replace(/\/+$/, '')
  for (const split of options.splits ?? SPLITS) {
    for (let offset = 0; offset < record.images[split]; offset += SLICE) {
      for (const entry of await store.batchEntries(record.id, split, offset, SLICE)) {
        if (!entry.image) {
          options.onMissing?.()
          continue
        }
        const image = toDatasetImage(entry.image)
        const root = roots.get(image.folder)
        yield {
          batch_set: record.id,
          split,
          batch: Math.floor(entry.position / record.batchSize),
          position: entry.position,
          image_id: image.id,
          hash: image.hash,
          folder: image.folder,
          path: image.path,
          file: root ? join(root, ...image.path.split('/')) : '',
          url: `${base}${image.file_url}`,
          width: image.width,
          height: image.height,
          rating: image.rating,
          tags: image.tags,
          tags1: image.tags1,
        }
      }
    }
  }
}

/** One JSON Lines line. */
export function toJsonLine(row: ExportRow): string {
  return `${JSON.stringify(row)}\n`
}

/** The CSV header line. */
export function csvHeader(): string {
  return `${EXPORT_COLUMNS.join(',')}\r\n`
}

/**
 * One RFC 4180 line: fields holding a comma, quote, CR or LF (or edge spaces) are quoted with
 * quotes doubled; lists are joined by single spaces (booru tag names have none; JSON Lines keeps
 * them exact); a null rating is empty.
 *
 * @example
 * toCsvLine({ …, tags: ['a,b', 'say "hi"'] }) // '…,"a,b say ""hi""",…\r\n'
 */
export function toCsvLine(row: ExportRow): string {
  return `${EXPORT_COLUMNS.map((column) => csvField(row[column])).join(',')}\r\n`
}

function csvField(value: ExportRow[keyof ExportRow]): string {
  const text = Array.isArray(value) ? value.join(' ') : value === null ? '' : String(value)
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}
