/**
 * Tag scores as one object per image, `tagScores: { <key of name>: score }`, because FerretDB v1
 * has no working `$elemMatch`: with field conditions it matches nothing, and its operators may be
 * met by different elements of the array. A score comparison on `tagScores.<key>` is a plain range
 * on one field, exact on MongoDB and FerretDB alike.
 */

/**
 * The document key of a tag name: `t` and the UTF-8 bytes in hex, since names hold `.`, `$` and
 * any other character a field name must not.
 *
 * @example
 * tagScoreKey('c.c.') // 't632e632e'
 */
export function tagScoreKey(name: string): string {
  return `t${Buffer.from(name, 'utf8').toString('hex')}`
}

/** The `tagScores` path of a tag name. */
export function tagScorePath(name: string): string {
  return `tagScores.${tagScoreKey(name)}`
}

/** The `tagScores` object of a tag map. */
export function tagScoresOf(tags: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(tags).map(([name, score]) => [tagScoreKey(name), score]))
}
