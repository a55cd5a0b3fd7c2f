import type { Comparison } from '../../../query/ast'
import type { Bitset } from './bitset'

/** Changes waiting beside the sorted arrays; past this share of their length they are folded in. */
const MAX_PENDING_SHARE = 0.25
const MIN_PENDING = 1024

/**
 * One tag's scores, sorted by score (highest first, then id descending): a threshold
 * (`tags.long_hair;>=0.9`) is a binary search and a run of the arrays, and the images in score
 * order (the sort `tags.long_hair;-1`) are the arrays in order. Scores are kept exact (float64, as
 * SQLite stores them), so the answer is SQL's to the last bit. Writes land in small add/remove sets,
 * folded in when they grow, so an import tagging images one by one does not re-sort per image.
 */
export class ScoreColumn {
  private ids: Int32Array
  private scores: Float64Array
  /** id → score of images added or re-scored since the last fold. */
  private readonly added = new Map<number, number>()
  /** Ids whose entry in the sorted arrays no longer counts. */
  private readonly removed = new Set<number>()

  /** From (id, score) pairs in any order. */
  constructor(ids: ArrayLike<number>, scores: ArrayLike<number>) {
    ;({ ids: this.ids, scores: this.scores } = sortedPairs(ids, scores))
  }

  add(id: number, score: number): void {
    this.added.set(id, score)
    this.removed.add(id)
    this.maybeFold()
  }

  delete(id: number): void {
    this.added.delete(id)
    this.removed.add(id)
    this.maybeFold()
  }

  /** Sets in `into` the ids whose score satisfies every comparison. */
  addMatches(comparisons: readonly Comparison[], into: Bitset): void {
    const tests = comparisons.map(({ op, value }) => scoreTest(op, value.kind === 'number' ? value.value : Number.NaN))
    const [start, end] = this.range(comparisons)
    const { ids, scores, removed } = this
    const check = removed.size > 0
    for (let k = start; k < end; k++) {
      const id = ids[k]!
      if (check && removed.has(id)) continue
      const score = scores[k]!
      if (tests.every((test) => test(score))) into.add(id)
    }
    for (const [id, score] of this.added) if (tests.every((test) => test(score))) into.add(id)
  }

  /**
   * The images with a score, in sort order: highest first (`-1`) or lowest first (`1`), ties by id
   * descending (the sort's tie-break), with each score.
   */
  *ordered(direction: 1 | -1): Generator<[id: number, score: number]> {
    this.fold()
    const { ids, scores } = this
    if (direction === -1) {
      for (let k = 0; k < ids.length; k++) yield [ids[k]!, scores[k]!]
      return
    }
    // Ascending by score, but a run of equal scores keeps id descending.
    for (let end = ids.length; end > 0;) {
      let start = end - 1
      while (start > 0 && scores[start - 1] === scores[end - 1]) start--
      for (let k = start; k < end; k++) yield [ids[k]!, scores[k]!]
      end = start
    }
  }

  /**
   * The run of the sorted arrays that can hold matches: the bounds of `>`, `>=`, `<`, `<=` and `=`
   * cut it by binary search (scores run downwards); every entry in it is still tested exactly.
   */
  private range(comparisons: readonly Comparison[]): [number, number] {
    let start = 0
    let end = this.scores.length
    for (const { op, value } of comparisons) {
      if (value.kind !== 'number') continue
      const bound = value.value
      if (op === '>' || op === '>=' || op === '=') end = Math.min(end, this.countWhile((score) => (op === '>' ? score > bound : score >= bound)))
      if (op === '<' || op === '<=' || op === '=') start = Math.max(start, this.countWhile((score) => (op === '<' ? score >= bound : score > bound)))
    }
    return [start, Math.max(start, end)]
  }

  /** How many leading entries satisfy a test that holds for a prefix of the (descending) scores. */
  private countWhile(test: (score: number) => boolean): number {
    let low = 0
    let high = this.scores.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (test(this.scores[middle]!)) low = middle + 1
      else high = middle
    }
    return low
  }

  private maybeFold(): void {
    const pending = this.added.size + this.removed.size
    if (pending >= MIN_PENDING && pending >= this.ids.length * MAX_PENDING_SHARE) this.fold()
  }

  private fold(): void {
    if (!this.added.size && !this.removed.size) return
    const ids: number[] = []
    const scores: number[] = []
    for (let k = 0; k < this.ids.length; k++) {
      const id = this.ids[k]!
      if (this.removed.has(id)) continue
      ids.push(id)
      scores.push(this.scores[k]!)
    }
    for (const [id, score] of this.added) {
      ids.push(id)
      scores.push(score)
    }
    ;({ ids: this.ids, scores: this.scores } = sortedPairs(ids, scores))
    this.added.clear()
    this.removed.clear()
  }
}

/** Pairs sorted by score descending, then id descending. */
function sortedPairs(ids: ArrayLike<number>, scores: ArrayLike<number>): { ids: Int32Array; scores: Float64Array } {
  const order = Uint32Array.from({ length: ids.length }, (_, k) => k)
  order.sort((a, b) => (scores[b]! - scores[a]!) || (ids[b]! - ids[a]!))
  return { ids: Int32Array.from(order, (k) => ids[k]!), scores: Float64Array.from(order, (k) => scores[k]!) }
}

function scoreTest(op: Comparison['op'], bound: number): (score: number) => boolean {
  switch (op) {
    case '<': return (score) => score < bound
    case '<=': return (score) => score <= bound
    case '>': return (score) => score > bound
    case '>=': return (score) => score >= bound
    case '=': return (score) => score === bound
    case '!=': return (score) => score !== bound
  }
}
