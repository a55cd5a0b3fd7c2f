/**
 * Query text → tokens. The scanner knows characters, not clauses: quotes, backslash escapes,
 * operators, punctuation, whitespace and words. It never fails: an unterminated quote is a token
 * marked `terminated: false`, and the parser reports it where it matters.
 */
import { PUNCTUATION, type Token } from './tokens'

/** Characters that end a word (besides whitespace). `\` starts an escape, `"` a quoted value. */
const SPECIAL = new Set([...Object.keys(PUNCTUATION), '<', '>', '=', '"', '\\'])

/**
 * Whether a character is whitespace (the same set as the regular expression `\s`).
 *
 * @example
 * isSpace(' ') // true
 * isSpace('\u3000') // true (ideographic space)
 */
export function isSpace(ch: string): boolean {
  return /^\s$/u.test(ch)
}

/**
 * Whether a character can stand unescaped inside a word (it is neither whitespace nor special).
 *
 * @example
 * isWordChar('a') // true
 * isWordChar(',') // false
 */
export function isWordChar(ch: string): boolean {
  return !SPECIAL.has(ch) && !isSpace(ch)
}

/**
 * Cuts query text into tokens covering it exactly, followed by one `end` token.
 *
 * @example
 * scan('width;>=1920').map((t) => t.kind) // ['word', 'semi', 'op', 'word', 'end']
 */
export function scan(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const start = i
    const ch = text.charAt(i)
    if (isSpace(ch)) {
      while (i < text.length && isSpace(text.charAt(i))) i++
      tokens.push({ kind: 'space', text: text.slice(start, i), span: { start, end: i } })
    } else if (ch === '"') {
      const quoted = scanQuoted(text, start)
      i = quoted.span.end
      tokens.push(quoted)
    } else if (ch === '<' || ch === '>' || (ch === '!' && text.charAt(i + 1) === '=')) {
      i += text.charAt(i + 1) === '=' ? 2 : 1
      const op = text.slice(start, i) as '<' | '<=' | '>' | '>=' | '!='
      tokens.push({ kind: 'op', op, text: op, span: { start, end: i } })
    } else if (ch === '=') {
      i++
      tokens.push({ kind: 'op', op: '=', text: '=', span: { start, end: i } })
    } else if (ch === '\\' && i === text.length - 1) {
      i++
      tokens.push({ kind: 'backslash', text: ch, span: { start, end: i } })
    } else {
      const kind = PUNCTUATION[ch]
      if (kind) {
        i++
        tokens.push({ kind, text: ch, span: { start, end: i } })
      } else {
        const word = scanWord(text, start)
        i = word.span.end
        tokens.push(word)
      }
    }
  }
  tokens.push({ kind: 'end', text: '', span: { start: text.length, end: text.length } })
  return tokens
}

/** `"…"` from `start` (the opening quote). Inside, only `\"` and `\\` are escapes. */
function scanQuoted(text: string, start: number): Token {
  let value = ''
  let i = start + 1
  while (i < text.length) {
    const ch = text.charAt(i)
    if (ch === '"') {
      i++
      return { kind: 'quoted', value, terminated: true, text: text.slice(start, i), span: { start, end: i } }
    }
    const next = text.charAt(i + 1)
    if (ch === '\\' && (next === '"' || next === '\\')) {
      value += next
      i += 2
    } else {
      value += ch
      i++
    }
  }
  return { kind: 'quoted', value, terminated: false, text: text.slice(start), span: { start, end: text.length } }
}

/**
 * A run of word characters from `start`; `\` takes the next character (a whole code point)
 * literally. Never empty: it starts on a word character or on a backslash that has a next character.
 */
function scanWord(text: string, start: number): Token {
  let value = ''
  let i = start
  while (i < text.length) {
    const ch = text.charAt(i)
    if (ch === '\\') {
      const code = text.codePointAt(i + 1)
      // A backslash at the very end has nothing to escape: it becomes a token of its own.
      if (code === undefined) break
      const escaped = String.fromCodePoint(code)
      value += escaped
      i += 1 + escaped.length
    } else if (isWordChar(ch)) {
      value += ch
      i++
    } else {
      break
    }
  }
  return { kind: 'word', value, text: text.slice(start, i), span: { start, end: i } }
}
