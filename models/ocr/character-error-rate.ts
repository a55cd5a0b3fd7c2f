/**
 * Character error rate: the edit distance between recognised and expected text, over the
 * length of the expected text. Whitespace is compared loosely (every run counts as one space,
 * none at either end), so a line break read as a space is not an error.
 */
export function characterErrorRate(recognised: string, expected: string): number {
  const hypothesis = [...squashWhitespace(recognised)]
  const reference = [...squashWhitespace(expected)]
  if (reference.length === 0) return hypothesis.length === 0 ? 0 : 1
  return editDistance(hypothesis, reference) / reference.length
}

function squashWhitespace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim()
}

/** Levenshtein distance over code points, in O(min) memory. */
export function editDistance(a: readonly string[], b: readonly string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1))
    }
    previous = current
  }
  return previous[b.length] as number
}
