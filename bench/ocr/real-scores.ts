// The scores of ../shared/realworld/ocr/README.md ("Scores"), written from its text and nothing
// else: the normalisation both sides get, CER (no cap) and the findable share. Kept apart from
// Sagasu's own tidying (models/ocr/ocr-text.ts) on purpose: the yardstick must not move with the
// thing it measures.
import { editDistance } from '../../models/ocr/character-error-rate'

/** Han, kana, CJK punctuation and full-width forms, as the README lists them. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\u30fc\uff00-\uffef]/u
const DIGIT = /[0-9]/
const CJK_CLOSING = /[、。，．：；！？」』）】〕〉》]/
const CJK_OPENING = /[「『（【〔〈《]/

/**
 * Unicode NFKC; tabs, U+3000 and no-break spaces as spaces; within a line, a space removed between
 * two CJK characters, between a CJK character and a digit, before CJK closing punctuation and
 * after CJK opening brackets; other runs of spaces become one; lines trimmed, blank lines dropped.
 */
export function normaliseForScore(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\t\u3000\u00a0]/g, ' ')
    .split(/\r?\n/)
    .map((line) => {
      const pieces = line.split(/ +/).filter((piece) => piece.length > 0)
      let out = pieces[0] ?? ''
      for (const piece of pieces.slice(1)) {
        const left = out.at(-1)!
        const right = piece[0]!
        const glue = (CJK.test(left) && CJK.test(right)) || (CJK.test(left) && DIGIT.test(right)) || (DIGIT.test(left) && CJK.test(right)) ||
          CJK_CLOSING.test(right) || CJK_OPENING.test(left)
        out += glue ? piece : ` ${piece}`
      }
      return out
    })
    .filter((line) => line.length > 0)
    .join('\n')
}

/** Every whitespace run (line breaks included) as one space, the ends trimmed, as code points. */
function forCer(text: string): string[] {
  return [...normaliseForScore(text).replace(/\s+/gu, ' ').trim()]
}

/** The edit distance and the truth's length, for summing over a group. */
export interface CerParts { distance: number; length: number }

export function cerParts(recognised: string, truth: string): CerParts {
  const reference = forCer(truth)
  return { distance: editDistance(forCer(recognised), reference), length: reference.length }
}

/** Summed distance over summed truth length (no cap: invented text passes 100 %). */
export function groupCer(parts: readonly CerParts[]): number {
  const length = parts.reduce((sum, part) => sum + part.length, 0)
  return length === 0 ? 0 : parts.reduce((sum, part) => sum + part.distance, 0) / length
}

/**
 * Every distinct 2-, 3- and 4-character substring of the normalised truth that lies within one
 * whitespace-free run and holds at least one letter or digit.
 */
export function findablePieces(truth: string): string[] {
  const pieces = new Set<string>()
  for (const run of normaliseForScore(truth).split(/\s+/u)) {
    const chars = [...run]
    for (let size = 2; size <= 4; size++) {
      for (let i = 0; i + size <= chars.length; i++) {
        const piece = chars.slice(i, i + size).join('')
        if (/[\p{L}\p{N}]/u.test(piece)) pieces.add(piece)
      }
    }
  }
  return [...pieces]
}

/** Found pieces over all pieces; a piece is found when it occurs in the recognised text, ASCII case ignored. */
export function findableShare(recognised: string, truth: string): number {
  const pieces = findablePieces(truth)
  if (pieces.length === 0) return 1
  const haystack = asciiLower(normaliseForScore(recognised))
  return pieces.filter((piece) => haystack.includes(asciiLower(piece))).length / pieces.length
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase())
}

/** Characters an engine stored for an image: code points other than whitespace. */
export function storedCharacters(text: string): number {
  return [...text.replace(/\s+/gu, '')].length
}
