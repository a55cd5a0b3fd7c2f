import { asciiLower } from '../../shared/ascii-lower'
import type { ImageRecord } from '../../shared/types/image'
import type { AndNode, QueryNode, Span, TextTarget } from '../query/ast'
import type { Store } from '../store/store'

/** Words of a CLIP text looked up in full text; more would make the OR unwieldy for little gain. */
const MAX_TERMS = 8
/** What the full text of an image is searched in: the OCR text, the AI prompt, pixiv's tags. */
const TARGETS: TextTarget[] = ['ocr', 'prompt', 'tags1']
const NO_SPAN: Span = { start: 0, end: 0 }

/**
 * The words of a CLIP search text that full text looks for: split at whitespace and at the
 * punctuation that ends words (so `"girl, rain"` gives girl and rain), lower-cased like the query
 * language's text matching (ASCII only), each once. Single Latin letters and digits say too little
 * to count; one CJK character is a word.
 *
 * @example
 * fullTextTerms('Girl in the RAIN, 雨') // ['girl', 'in', 'the', 'rain', '雨']
 */
export function fullTextTerms(text: string): string[] {
  const words = asciiLower(text).split(/[\s,.;:!?()[\]{}"'、。，！？「」『』（）]+/u)
  const terms = words.filter((word) => word.length > 1 || /[^\x00-\x7f]/.test(word))
  return [...new Set(terms)].slice(0, MAX_TERMS)
}

/** The share (0–1) of `terms` found in the image's OCR text, AI prompt or tags1, matched as the query language does. */
export function fullTextScore(image: ImageRecord, terms: string[]): number {
  if (!terms.length) return 0
  const haystacks = [image.text, image.ai?.prompt, ...(image.tags1 ?? [])].filter((text): text is string => Boolean(text)).map(asciiLower)
  const found = terms.filter((term) => haystacks.some((text) => text.includes(term))).length
  return found / terms.length
}

/** `filter` and at least one of the terms in the OCR text, AI prompt or tags1 (undefined without terms). */
export function fullTextQuery(filter: AndNode, terms: string[]): AndNode | undefined {
  if (!terms.length) return undefined
  const anyTerm: QueryNode = {
    type: 'or',
    span: NO_SPAN,
    children: terms.flatMap((term) => TARGETS.map((target): QueryNode => ({ type: 'text', target, terms: [term], text: term, span: NO_SPAN }))),
  }
  return { type: 'and', span: filter.span, children: [...filter.children, anyTerm] }
}

/** The images of a full-text query, newest first, at most `limit` — with the records, so the caller can score them. */
export async function fullTextMatches(store: Store, query: AndNode | undefined, limit: number): Promise<ImageRecord[]> {
  if (!query) return []
  const page = await store.search({ query, sort: [{ field: 'added', direction: -1, span: NO_SPAN }], limit })
  return page.results
}
