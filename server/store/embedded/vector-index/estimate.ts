/** What an estimate is for: N vectors of `dims` in an int8 graph with `connectivity` (M), plus their int8 copy. */
export interface EstimateInput {
  count: number
  dims: number
  connectivity: number
}

export interface IndexEstimate extends EstimateInput {
  /** The saved graph and int8 copy files. */
  diskBytes: number
  /** Both loaded in memory: the files' contents plus usearch's key → slot table and the copy's id → slot table. */
  memoryBytes: number
  /**
   * The float32 embeddings in SQLite (the source of truth). Rows fill whole pages: a 512-dim row
   * (2 KB) leaves no room for a second one in a 4 KB page, so it costs a page (measured: 4.45 GB for
   * 1,000,000 with their images and change log).
   */
  sqliteBytes: number
}

/** Bytes per vector a loaded graph takes beyond its file: usearch's key → slot table and allocation slack (measured at 1M: 1341 MiB vs 1240 MiB). */
const KEY_TABLE_BYTES = 104
/** The int8 copy's id → slot table (an Int32Array over the id range). */
const SLOT_TABLE_BYTES = 4
/** SQLite's page size (the default) and the most of one a table row may fill before spilling to overflow pages. */
const PAGE_BYTES = 4096
const MAX_LOCAL_PAYLOAD = 4061
/** Per embedding beside its page share: the (model, image_id) and image_id index entries and its change-log row. */
const SQLITE_ROW_EXTRA = 60

/**
 * Memory and disk for a vector index, from usearch's layout (fitted to saved files within 0.1 %):
 * per vector an int8 copy in the graph (dims bytes), the node header (key, level, neighbour count:
 * 16 bytes), the bottom layer's 2·M neighbour slots of 4 bytes, and the upper layers, which a node
 * reaches with probability 1/(M−1) on average, of M slots plus a count each; then the int8 copy the
 * exact path ranks (dims bytes and a 4-byte id).
 *
 * @example
 * estimateIndex({ count: 1_000_000, dims: 512, connectivity: 32 }).diskBytes // ≈ 1.30 GB
 */
export function estimateIndex(input: EstimateInput): IndexEstimate {
  const { count, dims, connectivity: m } = input
  const graph = dims + 16 + 8 * m + (4 * m + 4) / (m - 1)
  const copy = dims + 4
  const diskBytes = Math.round(count * (graph + copy) + 8)
  return {
    ...input,
    diskBytes,
    memoryBytes: Math.round(diskBytes + count * (KEY_TABLE_BYTES + SLOT_TABLE_BYTES)),
    sqliteBytes: Math.round(count * (sqliteRowBytes(dims) + SQLITE_ROW_EXTRA)),
  }
}

/** Bytes of pages one embedding row takes: a share of a page when several fit, else its pages with overflow. */
function sqliteRowBytes(dims: number): number {
  const row = 4 * dims + 40
  return row <= MAX_LOCAL_PAYLOAD ? PAGE_BYTES / Math.floor(MAX_LOCAL_PAYLOAD / row) : Math.ceil(row / (PAGE_BYTES - 4)) * PAGE_BYTES
}
