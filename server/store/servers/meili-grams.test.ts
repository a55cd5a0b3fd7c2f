import { describe, expect, it } from 'vitest'
import { foldAscii, gramWord, MAX_QUERY_GRAMS, termGrams, textGrams } from './meili-grams'

/** A small deterministic generator, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state / 2 ** 31
  }
}

const ALPHABET = [...'abcAB xyz-_.01ありがとうオリジナル猫耳🎨é']

describe('gram words (Meilisearch substring search)', () => {
  it('spells a gram as one word of a–p letters, distinct grams distinctly', () => {
    expect(gramWord('a')).toBe('aagb')
    expect(gramWord('猫')).toMatch(/^[a-p]{4}$/)
    expect(gramWord('ab')).not.toBe(gramWord('ba'))
    expect(gramWord('あり')).toMatch(/^[a-p]{8}$/)
  })

  it('folds ASCII case only, as the query language compares', () => {
    expect(foldAscii('Hair ÉCOLE Ab')).toBe('hair École ab')
    expect(foldAscii('ÉA')).toBe('Éa')
  })

  it('searches a term by at most ten of its grams, first and last included', () => {
    const term = 'masterpiece, best quality'
    const grams = termGrams(term)
    expect(grams).toHaveLength(MAX_QUERY_GRAMS)
    expect(grams[0]).toBe(gramWord('mas'))
    expect(grams.at(-1)).toBe(gramWord('ity'))
    expect(termGrams('猫')).toEqual([gramWord('猫')])
    expect(termGrams('Ab')).toEqual([gramWord('ab')])
    expect(termGrams('')).toEqual([])
  })

  it('finds every text that contains a term: the term\'s grams are always among the text\'s (4,000 random cases)', () => {
    const next = random(7)
    const pick = () => ALPHABET[Math.floor(next() * ALPHABET.length)]!
    for (let n = 0; n < 4_000; n++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 40) }, pick).join('')
      const start = Math.floor(next() * text.length)
      let term = text.slice(start, start + 1 + Math.floor(next() * 12))
      // The query language folds ASCII case: the term may be typed in the other case.
      if (next() < 0.5) term = term.replace(/[a-z]/g, (c) => c.toUpperCase())
      const indexed = new Set(textGrams([text]).words.split(' '))
      const missing = termGrams(term).filter((word) => !indexed.has(word))
      expect(missing, `text ${JSON.stringify(text)}, term ${JSON.stringify(term)}`).toEqual([])
    }
  })

  it('keeps grams inside one tags1 value', () => {
    const words = new Set(textGrams(['ab', 'cd']).words.split(' '))
    expect(words.has(gramWord('bc'))).toBe(false)
    expect(words.has(gramWord('cd'))).toBe(true)
  })
})
