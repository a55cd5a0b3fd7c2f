/**
 * Substring search on a word index. Meilisearch matches words and word prefixes; the query
 * language's text clauses match substrings (docs/query-semantics.md: `m;air` finds "hair"). So
 * Meilisearch indexes each text as the set of its 1-, 2- and 3-character grams, each spelled as one
 * word, and a term is searched as its own grams (up to MAX_QUERY_GRAMS of them), every one required.
 * A text that contains the term contains every gram of it, so Meilisearch's answer holds every
 * match; the few non-matches it adds (the grams occur apart) are dropped by the MongoDB regex that
 * confirms each candidate.
 */

/** The gram lengths indexed: a term of one or two characters needs grams of its own length. */
const GRAM_SIZES = [1, 2, 3] as const

/** Meilisearch reads only the first 10 words of a query (docs: known limitations). */
export const MAX_QUERY_GRAMS = 10

/**
 * Meilisearch indexes at most 65,535 word positions per attribute and silently drops the rest; a
 * text with more distinct grams than this is marked partial and always a candidate instead.
 */
export const MAX_TEXT_GRAMS = 60_000

/** ASCII case folding: the query language's text clauses compare other scripts as written. */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase())
}

/**
 * One gram as one word of the letters a–p (each UTF-16 code unit as four hex digits, spelled in
 * letters), so that no tokenizer splits it, normalises it or reads it as another script.
 */
export function gramWord(gram: string): string {
  let word = ''
  for (let i = 0; i < gram.length; i++) {
    const unit = gram.charCodeAt(i)
    for (let shift = 12; shift >= 0; shift -= 4) word += String.fromCharCode(97 + ((unit >> shift) & 15))
  }
  return word
}

/**
 * The gram words of the texts of one attribute (tags1 has several values: grams never span two),
 * space-separated, each once; `complete` is false when there were more than MAX_TEXT_GRAMS.
 */
export function textGrams(texts: readonly string[]): { words: string; complete: boolean } {
  const grams = new Set<string>()
  for (const text of texts) {
    const folded = foldAscii(text)
    for (const size of GRAM_SIZES) {
      for (let i = 0; i + size <= folded.length; i++) grams.add(folded.slice(i, i + size))
    }
  }
  const all = [...grams]
  return { words: all.slice(0, MAX_TEXT_GRAMS).map(gramWord).join(' '), complete: all.length <= MAX_TEXT_GRAMS }
}

/**
 * The gram words to search a term by: its grams of length min(3, term length), at most
 * MAX_QUERY_GRAMS of them spread over the term (the first and the last always among them). Any
 * subset of a term's grams is still found in every text containing the term.
 */
export function termGrams(term: string): string[] {
  const folded = foldAscii(term)
  const size = Math.min(3, folded.length)
  if (size === 0) return []
  const grams = [...new Set(Array.from({ length: folded.length - size + 1 }, (_, i) => folded.slice(i, i + size)))]
  if (grams.length <= MAX_QUERY_GRAMS) return grams.map(gramWord)
  const step = (grams.length - 1) / (MAX_QUERY_GRAMS - 1)
  return Array.from({ length: MAX_QUERY_GRAMS }, (_, k) => gramWord(grams[Math.round(k * step)]!))
}
