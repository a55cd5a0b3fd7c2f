/**
 * The tokens of a Sagasu query. The scanner cuts the text into these without knowing which clause
 * it is in; the parser decides what a token means where it stands (a `(` inside a tag name is part
 * of the name, a `:` inside a date is part of the time). Every token carries its range, and the
 * tokens of a text cover it exactly, so the parser can always point at what it is looking at.
 */
import type { CompareOp, Span } from './ast'

/**
 * Single-character punctuation: `,` `|` `(` `)` `!` `;` `&` `:` and the wildcard `*`.
 *
 * @example
 * const kind: PunctKind = 'comma' // the token for ","
 */
export type PunctKind = 'comma' | 'pipe' | 'lparen' | 'rparen' | 'bang' | 'semi' | 'amp' | 'colon' | 'star'

/**
 * Every kind of token the scanner produces.
 *
 * @example
 * const kinds: TokenKind[] = ['word', 'op', 'word'] // `width`, `>=`, `1920`
 */
export type TokenKind = Token['kind']

/**
 * One token. `text` is the source exactly as written (`text === query.slice(span.start, span.end)`).
 * - `word`: a run of ordinary characters; `value` has backslash escapes resolved (`a\,b` → `a,b`).
 * - `quoted`: `"…"`; `value` is the content with `\"` and `\\` resolved. An unterminated quote
 *   runs to the end of the text with `terminated: false`.
 * - `op`: a comparison operator, longest match first (`<=` before `<`, `!=` before `!`).
 * - `space`: a run of whitespace.
 * - `backslash`: a `\` at the very end of the text, with nothing to escape (the parser rejects it).
 * - `end`: the empty token at the end of the text, so the parser always has a token to look at.
 *
 * @example
 * const token: Token = { kind: 'word', value: 'width', text: 'width', span: { start: 0, end: 5 } }
 */
export type Token =
  | { kind: 'word'; value: string; text: string; span: Span }
  | { kind: 'quoted'; value: string; terminated: boolean; text: string; span: Span }
  | { kind: 'op'; op: CompareOp; text: string; span: Span }
  | { kind: 'space'; text: string; span: Span }
  | { kind: 'backslash'; text: string; span: Span }
  | { kind: PunctKind; text: string; span: Span }
  | { kind: 'end'; text: ''; span: Span }

/**
 * The character each punctuation kind stands for.
 *
 * @example
 * PUNCTUATION[','] // 'comma'
 */
export const PUNCTUATION: Readonly<Record<string, PunctKind>> = {
  ',': 'comma',
  '|': 'pipe',
  '(': 'lparen',
  ')': 'rparen',
  '!': 'bang',
  ';': 'semi',
  '&': 'amp',
  ':': 'colon',
  '*': 'star',
}
