/**
 * Lower-cases A–Z only, as SQLite's `lower()` does: the query language's text matching is
 * case-insensitive for ASCII and exact for everything else (docs/query-semantics.md).
 */
export function asciiLower(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (run) => run.toLowerCase()) : text
}
