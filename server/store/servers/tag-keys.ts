import type { Comparison } from '../../query/ast'

/**
 * Tags as strings MongoDB matches element by element with plain operators, because FerretDB v1
 * silently matches nothing for `$elemMatch` with field conditions (`{ $elemMatch: { n, s } }`).
 * A tag key is the score as 16 hex digits that sort like the number, `\u0001`, then the name:
 * a score range is a string range on the key, the name a regex on its tail, and one `$elemMatch`
 * of operators holds both for the same element — on MongoDB as on FerretDB.
 */
export const TAG_KEY_SEPARATOR = '\u0001'

/** Regex source for the 16-digit score part of a key. */
const SCORE_PART = '[0-9a-f]{16}'

/**
 * A finite number as 16 hex digits whose string order is the numeric order (IEEE 754 bits with the
 * sign bit flipped for positives and every bit flipped for negatives). -0 is written as 0.
 *
 * @example
 * encodeScore(0.5) < encodeScore(0.75) // true
 */
export function encodeScore(score: number): string {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, score === 0 ? 0 : score)
  let bits = view.getBigUint64(0)
  bits = bits >> 63n ? ~bits & 0xffff_ffff_ffff_ffffn : bits | (1n << 63n)
  return bits.toString(16).padStart(16, '0')
}

/** The inverse of encodeScore. */
export function decodeScore(hex: string): number {
  let bits = BigInt(`0x${hex}`)
  bits = bits >> 63n ? bits & ~(1n << 63n) : ~bits & 0xffff_ffff_ffff_ffffn
  const view = new DataView(new ArrayBuffer(8))
  view.setBigUint64(0, bits)
  return view.getFloat64(0)
}

/** @example tagKey('long_hair', 0.9) // '3feccccccccccccd\u0001long_hair' */
export function tagKey(name: string, score: number): string {
  return `${encodeScore(score)}${TAG_KEY_SEPARATOR}${name}`
}

/** A key back to name and score. */
export function parseTagKey(key: string): { name: string; score: number } {
  return { name: key.slice(17), score: decodeScore(key.slice(0, 16)) }
}

/** Keys sorting after every key whose score part is `hex` (the separator is the smallest character used after it). */
function after(hex: string): string {
  return `${hex}\u0002`
}

/** A half-open range [from, to) of keys; undefined bounds are open. */
interface KeyRange {
  from?: string
  to?: string
}

/**
 * The `$elemMatch` conditions of one tag clause on `tagKeys`: the name (a regex source matching
 * the whole name) and every comparison on the score, all on the same element. `!=` splits the
 * score range in two, so the result is a list of alternatives (one, unless there are `!=`).
 *
 * @example
 * tagKeyConditions('^long_hair$', [{ op: '>=', value: { kind: 'number', value: 0.8 } }])
 * // [{ $regex: '^[0-9a-f]{16}\u0001long_hair$', $gte: '3fe999999999999a' }]
 */
export function tagKeyConditions(namePattern: string, comparisons: Comparison[]): Array<Record<string, string>> {
  let ranges: KeyRange[] = [{}]
  for (const { op, value } of comparisons) {
    if (value.kind !== 'number') throw new Error(`a tag score compares with a number, got ${value.kind}`)
    const hex = encodeScore(value.value)
    const parts: KeyRange[] = op === '!=' ? [{ to: hex }, { from: after(hex) }] : [rangeOf(op, hex)]
    ranges = ranges.flatMap((range) => parts.map((part) => intersect(range, part))).filter(nonEmpty)
  }
  const regex = `^${SCORE_PART}${TAG_KEY_SEPARATOR}${namePattern.replace(/^\^/, '')}`
  return ranges.map((range) => ({
    $regex: regex,
    ...(range.from === undefined ? {} : { $gte: range.from }),
    ...(range.to === undefined ? {} : { $lt: range.to }),
  }))
}

function rangeOf(op: Exclude<Comparison['op'], '!='>, hex: string): KeyRange {
  switch (op) {
    case '=': return { from: hex, to: after(hex) }
    case '<': return { to: hex }
    case '<=': return { to: after(hex) }
    case '>': return { from: after(hex) }
    case '>=': return { from: hex }
  }
}

function intersect(a: KeyRange, b: KeyRange): KeyRange {
  const from = a.from === undefined ? b.from : b.from === undefined ? a.from : a.from > b.from ? a.from : b.from
  const to = a.to === undefined ? b.to : b.to === undefined ? a.to : a.to < b.to ? a.to : b.to
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) }
}

function nonEmpty(range: KeyRange): boolean {
  return range.from === undefined || range.to === undefined || range.from < range.to
}
