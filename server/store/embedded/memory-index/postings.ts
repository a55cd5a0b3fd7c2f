import { Bitset } from './bitset'

/** Changes waiting to be folded into a sorted id list; past this share of its length it is rebuilt. */
const MAX_PENDING_SHARE = 0.25
const MIN_PENDING = 1024

/**
 * The images carrying one tag (or tags1 value): a sorted id array while the key is rare, a bitset
 * once it covers more than 1 image in 32 of the id range (the bitset is then the smaller of the two).
 * Edits land in small add/remove sets and are folded in when they grow, so that an import tagging
 * images one at a time does not copy a long array per image.
 */
export class Postings {
  private sorted: Int32Array
  private dense: Bitset | undefined
  private readonly added = new Set<number>()
  private readonly removed = new Set<number>()

  constructor(ids: Int32Array, idRange: number) {
    this.sorted = ids
    if (ids.length * 32 > idRange) this.densify()
  }

  get size(): number {
    return this.dense ? this.denseSize : this.sorted.length + this.added.size - this.removed.size
  }

  private denseSize = 0

  add(id: number): void {
    if (this.dense) {
      if (!this.dense.has(id)) this.denseSize++
      this.dense.add(id)
      return
    }
    if (this.removed.delete(id)) return
    if (!this.inSorted(id)) this.added.add(id)
    this.maybeFold()
  }

  delete(id: number): void {
    if (this.dense) {
      if (this.dense.has(id)) this.denseSize--
      this.dense.delete(id)
      return
    }
    if (this.added.delete(id)) return
    if (this.inSorted(id)) this.removed.add(id)
    this.maybeFold()
  }

  /** Sets this key's ids in `into` (OR). */
  orInto(into: Bitset): void {
    if (this.dense) {
      into.or(this.dense)
      return
    }
    const sorted = this.sorted
    for (let k = 0; k < sorted.length; k++) into.add(sorted[k]!)
    for (const id of this.removed) into.delete(id)
    for (const id of this.added) into.add(id)
  }

  toBitset(bits: number): Bitset {
    if (this.dense) return this.dense.clone()
    const set = Bitset.empty(bits)
    this.orInto(set)
    return set
  }

  private inSorted(id: number): boolean {
    const sorted = this.sorted
    let low = 0
    let high = sorted.length - 1
    while (low <= high) {
      const middle = (low + high) >>> 1
      const value = sorted[middle]!
      if (value === id) return true
      if (value < id) low = middle + 1
      else high = middle - 1
    }
    return false
  }

  private maybeFold(): void {
    const pending = this.added.size + this.removed.size
    if (pending < MIN_PENDING || pending < this.sorted.length * MAX_PENDING_SHARE) return
    const ids = [...this.sorted.filter((id) => !this.removed.has(id)), ...this.added]
    this.sorted = Int32Array.from(ids).sort()
    this.added.clear()
    this.removed.clear()
  }

  private densify(): void {
    const set = Bitset.empty(this.sorted.length ? this.sorted[this.sorted.length - 1]! + 1 : 1)
    for (const id of this.sorted) set.add(id)
    this.dense = set
    this.denseSize = this.sorted.length
    this.sorted = new Int32Array(0)
  }
}
