/**
 * A set of image ids as one bit per id, so that AND, OR and NOT over hundreds of thousands of
 * images are a pass over a few thousand machine words. Operands may differ in length: missing
 * words count as zero, which lets sets made before the id range grew stay valid.
 */
export class Bitset {
  constructor(public words: Uint32Array) {}

  /** An empty set able to hold ids below `bits` without growing. */
  static empty(bits: number): Bitset {
    return new Bitset(new Uint32Array(wordsFor(bits)))
  }

  static fromIds(ids: Iterable<number>, bits: number): Bitset {
    const set = Bitset.empty(bits)
    for (const id of ids) set.add(id)
    return set
  }

  has(id: number): boolean {
    const word = id >>> 5
    return word < this.words.length && (this.words[word]! & (1 << (id & 31))) !== 0
  }

  add(id: number): void {
    const word = id >>> 5
    if (word >= this.words.length) this.grow(word + 1)
    this.words[word]! |= 1 << (id & 31)
  }

  delete(id: number): void {
    const word = id >>> 5
    if (word < this.words.length) this.words[word]! &= ~(1 << (id & 31))
  }

  /** Keeps only ids also in `other`. */
  and(other: Bitset): this {
    const mine = this.words
    const theirs = other.words
    const shared = Math.min(mine.length, theirs.length)
    for (let k = 0; k < shared; k++) mine[k]! &= theirs[k]!
    mine.fill(0, shared)
    return this
  }

  /** Adds every id of `other`. */
  or(other: Bitset): this {
    if (other.words.length > this.words.length) this.grow(other.words.length)
    const mine = this.words
    const theirs = other.words
    for (let k = 0; k < theirs.length; k++) mine[k]! |= theirs[k]!
    return this
  }

  /** Removes every id of `other`. */
  andNot(other: Bitset): this {
    const mine = this.words
    const theirs = other.words
    const shared = Math.min(mine.length, theirs.length)
    for (let k = 0; k < shared; k++) mine[k]! &= ~theirs[k]!
    return this
  }

  count(): number {
    let total = 0
    const words = this.words
    for (let k = 0; k < words.length; k++) {
      let v = words[k]!
      if (v === 0) continue
      v -= (v >>> 1) & 0x55555555
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
      total += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
    }
    return total
  }

  /** The ids in ascending order. */
  *ids(): IterableIterator<number> {
    const words = this.words
    for (let k = 0; k < words.length; k++) {
      let v = words[k]!
      while (v !== 0) {
        const low = v & -v
        yield (k << 5) + 31 - Math.clz32(low)
        v ^= low
      }
    }
  }

  clone(): Bitset {
    return new Bitset(this.words.slice())
  }

  private grow(words: number): void {
    const grown = new Uint32Array(Math.max(words, this.words.length * 2))
    grown.set(this.words)
    this.words = grown
  }
}

export function wordsFor(bits: number): number {
  return Math.max(1, Math.ceil(bits / 32))
}
