/** A small seeded generator (sfc32): the same seed gives the same index on every machine. */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    this.a = 0x9e3779b9
    this.b = 0x243f6a88
    this.c = 0xb7e15162
    this.d = seed >>> 0
    for (let i = 0; i < 16; i++) this.next()
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return (t >>> 0) / 4294967296
  }

  /** Whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }

  /** Index drawn with the given weights (need not sum to 1). */
  weighted(weights: readonly number[]): number {
    let total = 0
    for (const w of weights) total += w
    let u = this.next() * total
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!
      if (u < 0) return i
    }
    return weights.length - 1
  }

  hex(digits: number): string {
    let out = ''
    while (out.length < digits) out += Math.floor(this.next() * 0x10000).toString(16).padStart(4, '0')
    return out.slice(0, digits)
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      ;[items[i], items[j]] = [items[j]!, items[i]!]
    }
    return items
  }
}

/** Ranks 0…n-1 drawn with probability ∝ 1 / (rank + 1)^s. */
export class Zipf {
  private readonly cdf: Float64Array

  constructor(readonly n: number, s: number, private readonly rng: Rng) {
    this.cdf = new Float64Array(n)
    let total = 0
    for (let k = 0; k < n; k++) this.cdf[k] = total += 1 / (k + 1) ** s
    for (let k = 0; k < n; k++) this.cdf[k] = this.cdf[k]! / total
  }

  sample(): number {
    const u = this.rng.next()
    let lo = 0
    let hi = this.n - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.cdf[mid]! > u) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  /** `count` distinct ranks (at most n). `seen`/`stamp` make the check O(1) without a Set per image. */
  distinct(count: number, seen: Int32Array, stamp: number): number[] {
    const out: number[] = []
    const want = Math.min(count, this.n)
    while (out.length < want) {
      const k = this.sample()
      if (seen[k] === stamp) continue
      seen[k] = stamp
      out.push(k)
    }
    return out
  }
}
