import { closeSync, openSync, readSync, writeSync } from 'node:fs'
import { exactSearch, MetricKind, type Matches } from 'usearch'

/** int8 steps per unit: a component of a unit vector maps to round(127·x). */
export const INT8_SCALE = 127
/** Vectors gathered into one native brute-force call (8 MiB at 512 dims). */
const GATHER = 16_384

/** Approximate candidates, best first, with their int8 scores rescaled to cosine. */
export interface Candidates {
  ids: number[]
  scores: number[]
}

/**
 * One model's vectors as int8, in memory: 1 byte per dimension (512 MB per million CLIP vectors),
 * dense (a removed vector's slot takes the last one), so that the exact path ranks any subset
 * with usearch's native brute force instead of reading float32 rows from SQLite. The scores are
 * approximate (a few thousandths of cosine); callers re-rank the best candidates with the stored
 * float32 vectors.
 */
export class QuantizedVectors {
  private data: Int8Array
  /** slot → image id. */
  private keys: Int32Array
  /** image id → slot + 1 (0: absent). */
  private slots = new Int32Array(1024)
  private count = 0

  constructor(readonly dims: number, capacity = 1024) {
    this.data = new Int8Array(Math.max(1, capacity) * dims)
    this.keys = new Int32Array(Math.max(1, capacity))
  }

  size(): number {
    return this.count
  }

  has(id: number): boolean {
    return id < this.slots.length && this.slots[id]! > 0
  }

  /** Adds or replaces: `vectors` holds `ids.length` unit vectors one after the other. */
  add(ids: ArrayLike<number>, vectors: Float32Array): void {
    const { dims } = this
    for (let n = 0; n < ids.length; n++) {
      const id = ids[n]!
      let slot = this.has(id) ? this.slots[id]! - 1 : -1
      if (slot < 0) {
        slot = this.count++
        this.reserve(this.count, id)
        this.keys[slot] = id
        this.slots[id] = slot + 1
      }
      const base = slot * dims
      const from = n * dims
      for (let d = 0; d < dims; d++) {
        const value = Math.round(vectors[from + d]! * INT8_SCALE)
        this.data[base + d] = value > INT8_SCALE ? INT8_SCALE : value < -INT8_SCALE ? -INT8_SCALE : value
      }
    }
  }

  remove(id: number): void {
    if (!this.has(id)) return
    const slot = this.slots[id]! - 1
    const last = --this.count
    if (slot !== last) {
      const moved = this.keys[last]!
      this.data.copyWithin(slot * this.dims, last * this.dims, (last + 1) * this.dims)
      this.keys[slot] = moved
      this.slots[moved] = slot + 1
    }
    this.slots[id] = 0
  }

  /**
   * The `count` best of the given ids (every vector when undefined) by int8 inner product; ids
   * without a vector are skipped. Ties and near-ties are for the caller's re-ranking to settle.
   */
  candidates(query: Float32Array, ids: Iterable<number> | undefined, count: number): Candidates {
    const { dims } = this
    const q = new Int8Array(dims)
    for (let d = 0; d < dims; d++) q[d] = Math.max(-INT8_SCALE, Math.min(INT8_SCALE, Math.round(query[d]! * INT8_SCALE)))
    let best: Array<{ id: number; raw: number }> = []
    const merge = (dataset: Int8Array, rows: number, idOf: (row: number) => number): void => {
      if (rows === 0) return
      const found = exactSearch(dataset.subarray(0, rows * dims), q, dims, Math.min(count, rows), MetricKind.IP) as Matches
      for (let m = 0; m < found.keys.length; m++) best.push({ id: idOf(Number(found.keys[m])), raw: 1 - found.distances[m]! })
      best = best.sort((a, b) => b.raw - a.raw || a.id - b.id).slice(0, count)
    }
    if (ids === undefined) {
      // The store itself, a window at a time (usearch reads a typed array from its buffer's start).
      const window = new Int8Array(Math.min(GATHER, Math.max(1, this.count)) * dims)
      for (let start = 0; start < this.count; start += GATHER) {
        const rows = Math.min(GATHER, this.count - start)
        window.set(this.data.subarray(start * dims, (start + rows) * dims))
        merge(window, rows, (row) => this.keys[start + row]!)
      }
    } else {
      const gathered = new Int8Array(GATHER * dims)
      const rowIds = new Int32Array(GATHER)
      let rows = 0
      for (const id of ids) {
        if (!this.has(id)) continue
        const slot = this.slots[id]! - 1
        gathered.set(this.data.subarray(slot * dims, (slot + 1) * dims), rows * dims)
        rowIds[rows++] = id
        if (rows === GATHER) {
          merge(gathered, rows, (row) => rowIds[row]!)
          rows = 0
        }
      }
      merge(gathered, rows, (row) => rowIds[row]!)
    }
    const square = INT8_SCALE * INT8_SCALE
    return { ids: best.map((hit) => hit.id), scores: best.map((hit) => hit.raw / square) }
  }

  /** Writes ids then vectors; the file is only read back by `load` with the same dims. */
  save(path: string): void {
    const fd = openSync(path, 'w')
    try {
      const header = new Int32Array([this.dims, this.count])
      writeFully(fd, new Uint8Array(header.buffer))
      writeFully(fd, new Uint8Array(this.keys.buffer, 0, this.count * 4))
      writeFully(fd, new Uint8Array(this.data.buffer, 0, this.count * this.dims))
    } finally {
      closeSync(fd)
    }
  }

  static load(path: string, dims: number): QuantizedVectors {
    const fd = openSync(path, 'r')
    try {
      const header = new Int32Array(2)
      readFully(fd, new Uint8Array(header.buffer), 0)
      if (header[0] !== dims || header[1]! < 0) throw new Error(`${path} holds ${header[0]}-dimension vectors, expected ${dims}`)
      const count = header[1]!
      const vectors = new QuantizedVectors(dims, count)
      readFully(fd, new Uint8Array(vectors.keys.buffer, 0, count * 4), 8)
      readFully(fd, new Uint8Array(vectors.data.buffer, 0, count * dims), 8 + count * 4)
      let maxId = 0
      for (let slot = 0; slot < count; slot++) maxId = Math.max(maxId, vectors.keys[slot]!)
      vectors.slots = new Int32Array(maxId + 1024)
      for (let slot = 0; slot < count; slot++) vectors.slots[vectors.keys[slot]!] = slot + 1
      vectors.count = count
      return vectors
    } finally {
      closeSync(fd)
    }
  }

  /** Room for `slots` vectors and for the id; arrays grow by half again, so adding stays amortised O(1). */
  private reserve(slots: number, id: number): void {
    if (slots > this.keys.length) {
      const capacity = Math.max(slots, Math.ceil(this.keys.length * 1.5))
      const keys = new Int32Array(capacity)
      keys.set(this.keys)
      this.keys = keys
      const data = new Int8Array(capacity * this.dims)
      data.set(this.data)
      this.data = data
    }
    if (id >= this.slots.length) {
      const bySlot = new Int32Array(Math.max(id + 1, Math.ceil(this.slots.length * 1.5)))
      bySlot.set(this.slots)
      this.slots = bySlot
    }
  }
}

function writeFully(fd: number, bytes: Uint8Array): void {
  let done = 0
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done)
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  let done = 0
  while (done < into.length) {
    const read = readSync(fd, into, done, into.length - done, position + done)
    if (read === 0) throw new Error('the quantized vector file is truncated')
    done += read
  }
}
