/** The columns of `prompt_fts`, as a column filter names them. */
export const PROMPT_COLUMNS = ['prompt', 'negative_prompt'] as const

/** Short names accepted in column filters; `negative` matches the query language's `negative;`. */
const COLUMN_ALIASES = new Map([['negative', 'negative_prompt']])

// FTS5's own lexer (fts5_expr.c): a bareword is ASCII letters, digits, `_`, U+001A, or any non-ASCII.
const BAREWORD = /[A-Za-z0-9_\u001a\u0080-\uffff]/
const SPACE = /[ \t\n\r\f]/

/**
 * Rewrites column aliases in an FTS5 query to the real column names: in a column filter
 * (`negative: blurry`, `"negative": blurry`, `-negative: x`) and inside a column set
 * (`{prompt negative}: x`). Words anywhere else, and quoted text, are left exactly as written.
 * Column names are compared without regard to case, as FTS5 does.
 *
 * @example
 * expandColumnAliases('negative: blurry AND negative') // 'negative_prompt: blurry AND negative'
 * expandColumnAliases('{prompt NEGATIVE}: cat')        // '{prompt negative_prompt}: cat'
 */
export function expandColumnAliases(query: string): string {
  let out = ''
  let inColumnSet = false
  let i = 0
  while (i < query.length) {
    const c = query[i]!
    let end: number
    let value: string
    if (c === '"') {
      end = closingQuote(query, i)
      value = query.slice(i + 1, end - 1).replaceAll('""', '"')
    } else if (BAREWORD.test(c)) {
      end = i + 1
      while (end < query.length && BAREWORD.test(query[end]!)) end++
      value = query.slice(i, end)
    } else {
      if (c === '{') inColumnSet = true
      else if (c === '}') inColumnSet = false
      out += c
      i++
      continue
    }
    const alias = COLUMN_ALIASES.get(value.toLowerCase())
    out += alias && (inColumnSet || nextNonSpace(query, end) === ':') ? alias : query.slice(i, end)
    i = end
  }
  return out
}

/** One past the quote that closes the string starting at `start` (`""` is an escaped quote); the end when unclosed. */
function closingQuote(text: string, start: number): number {
  let i = start + 1
  while (i < text.length) {
    if (text[i] === '"') {
      if (text[i + 1] !== '"') return i + 1
      i += 2
    } else i++
  }
  return text.length
}

function nextNonSpace(text: string, from: number): string | undefined {
  let i = from
  while (i < text.length && SPACE.test(text[i]!)) i++
  return text[i]
}
