/**
 * A seeded uniform generator in [0, 1) (mulberry32): tiny, fast, and the same numbers on every
 * machine, for generated libraries, fixtures and benchmarks that must be reproducible.
 *
 * @example
 * const random = seededRandom(42)
 * random() // 0.6011…, every time
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}
