/**
 * Tidies tesseract's text for storage and search.
 *
 * Tesseract's CJK models emit a space between every recognised character ("東 京 の 空"),
 * which would break substring search (`m;東京`) and inflate `textlen`. The rule:
 * - a run of spaces between two CJK characters is removed (東 京 → 東京);
 * - between a CJK character and a number it is removed too, as CJK text writes numbers next to
 *   their counters (2024 年 → 2024年, 第 3 話 → 第3話);
 * - before CJK closing punctuation and after CJK opening brackets it is removed, whatever the
 *   other side (Hello 。→ Hello。, 「 OK 」→「OK」);
 * - between Latin words, and between a CJK character and a Latin word, one space is kept
 *   (Hello world, iPhone を買った): Japanese and Chinese text often set Latin words apart, and a
 *   kept space never hides a word from a search for it.
 * Runs of spaces become one, each line is trimmed, blank lines go, the whole text is trimmed.
 *
 * The text is NFKC-normalised first: tesseract's jpn model reads digits in CJK fonts as circled
 * numbers (2024 → ⑳②④) and full-width Latin as such; NFKC turns both into plain ASCII (⑳②④ → 2024,
 * Ｔｏｋｙｏ → Tokyo, half-width ｶﾀｶﾅ → カタカナ), which is also what a search box types. Full-width
 * CJK sentence punctuation (，：；！？（）．) is kept as it is: it is what Chinese and Japanese text
 * and their input methods use, and as ASCII it would fall outside the CJK rule below, leaving
 * `区别 , 因为` where the image says `区别，因为`.
 */

/**
 * Han (CJK ideographs and extensions), kana, CJK punctuation and full-width forms. Not Hangul:
 * Korean separates words with spaces.
 */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\u30fc\uff00-\uffef]/u
const DIGIT = /[0-9]/
/** Never preceded by a space, whatever comes before (Hello。). */
const CJK_CLOSING = /[、。，．：；！？」』）】〕〉》]/
/** Never followed by a space. */
const CJK_OPENING = /[「『（【〔〈《]/

/** Full-width punctuation NFKC must not turn into ASCII (see above). */
const KEPT_FULL_WIDTH = /[，．：；！？（）]/u

export function tidyOcrText(raw: string): string {
  return normalizeKeepingCjkPunctuation(raw)
    .split(/\r?\n/)
    .map(tidyLine)
    .filter((line) => line.length > 0)
    .join('\n')
    .trim()
}

function normalizeKeepingCjkPunctuation(text: string): string {
  if (!KEPT_FULL_WIDTH.test(text)) return text.normalize('NFKC')
  // Normalised piece by piece around each kept mark; NFKC never joins across these characters.
  return text.split(/([，．：；！？（）])/u).map((piece, i) => (i % 2 === 1 ? piece : piece.normalize('NFKC'))).join('')
}

function tidyLine(line: string): string {
  // Tesseract also emits U+3000 (ideographic space) and tabs; all count as spaces here.
  const pieces = line.replace(/[\t\u3000\u00a0]/g, ' ').split(/ +/).filter((piece) => piece.length > 0)
  let out = pieces[0] ?? ''
  for (let i = 1; i < pieces.length; i++) {
    const left = out.at(-1) ?? ''
    const right = (pieces[i] as string)[0] ?? ''
    out += joinsWithoutSpace(left, right) ? pieces[i] : ` ${pieces[i]}`
  }
  return out
}

function joinsWithoutSpace(left: string, right: string): boolean {
  const leftCjk = CJK.test(left)
  const rightCjk = CJK.test(right)
  if (leftCjk && rightCjk) return true
  if ((leftCjk && DIGIT.test(right)) || (DIGIT.test(left) && rightCjk)) return true
  return CJK_CLOSING.test(right) || CJK_OPENING.test(left)
}
