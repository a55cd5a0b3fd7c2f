import { describe, expect, it } from 'vitest'
import type { ImageRecord } from '../../shared/types/image'
import { fullTextScore, fullTextTerms } from './full-text-hits'

describe('full-text hits of a CLIP text', () => {
  it('splits the text into words, lower-cased like the query language, each once', () => {
    expect(fullTextTerms('Girl in the RAIN, 雨')).toEqual(['girl', 'in', 'the', 'rain', '雨'])
    expect(fullTextTerms('a  b, "red"  red!')).toEqual(['red'])
    expect(fullTextTerms('東京タワー、夜景。')).toEqual(['東京タワー', '夜景'])
    // ASCII letters only: É stays as it is, as SQLite's lower() leaves it.
    expect(fullTextTerms('Ä ÉCOLE')).toEqual(['Ä', 'École'])
    expect(fullTextTerms(' , . ')).toEqual([])
    expect(fullTextTerms('one two three four five six seven eight nine ten')).toHaveLength(8)
  })

  it('scores the share of the words found in the OCR text, the prompt or tags1', () => {
    const image = { text: 'Rainy Day', ai: { prompt: '1girl, umbrella' }, tags1: ['オリジナル', 'Blue Sky'] } as unknown as ImageRecord
    expect(fullTextScore(image, ['rain', 'umbrella'])).toBe(1)
    expect(fullTextScore(image, ['rain', 'zebra'])).toBe(0.5)
    expect(fullTextScore(image, ['sky', 'オリジナル', 'cat', 'dog'])).toBe(0.5)
    expect(fullTextScore(image, [])).toBe(0)
    expect(fullTextScore({} as ImageRecord, ['rain'])).toBe(0)
  })
})
