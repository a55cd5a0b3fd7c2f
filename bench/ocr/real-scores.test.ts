import { describe, expect, it } from 'vitest'
import { cerParts, findablePieces, findableShare, groupCer, normaliseForScore, storedCharacters } from './real-scores'

// Expected values worked out by hand from ../shared/realworld/ocr/README.md, "Scores".
describe('the real-image OCR scores', () => {
  it('normalises both sides as the README says', () => {
    expect(normaliseForScore('東 京\u3000の 空')).toBe('東京の空')
    expect(normaliseForScore('第 3 話\tHello   world')).toBe('第3話 Hello world')
    expect(normaliseForScore('「 OK 」 、')).toBe('「OK」、')
    expect(normaliseForScore('  Ｔｏｋｙｏ  \n\n ①② ')).toBe('Tokyo\n12')
  })

  it('counts CER over code points with whitespace runs as one space, uncapped', () => {
    expect(cerParts('めざめよ ここも', 'めざめよ ここも\n')).toEqual({ distance: 0, length: 7 })
    // A line break read as a space is no error; one wrong kana is one.
    expect(cerParts('Hello world', 'Hello\nworld')).toEqual({ distance: 0, length: 11 })
    expect(cerParts('あいうえお', 'あいうえか')).toEqual({ distance: 1, length: 5 })
    const invented = cerParts('ABCDEFGHIJ', 'AB')
    expect(invented).toEqual({ distance: 8, length: 2 })
    expect(groupCer([invented, { distance: 0, length: 8 }])).toBeCloseTo(0.8)
    expect(groupCer([invented])).toBe(4)
  })

  it('takes the findable pieces within whitespace-free runs, with a letter or digit', () => {
    expect(findablePieces('ab cd').sort()).toEqual(['ab', 'cd'])
    expect(findablePieces('東京の').sort()).toEqual(['京の', '東京', '東京の'].sort())
    // Punctuation-only pieces are not typed to find an image.
    expect(findablePieces('！？…')).toEqual([])
    // NFKC comes first: full-width ！？ are ASCII in the pieces.
    expect(findablePieces('いる！？').sort()).toEqual(['いる', 'る!', 'いる!', 'る!?', 'いる!?'].sort())
  })

  it('finds pieces ignoring ASCII case', () => {
    expect(findableShare('hello WORLD', 'Hello World')).toBe(1)
    // 'Greenstead' has 9 + 8 + 7 = 24 pieces; 'Greens' holds 5 + 4 + 3 = 12 of them.
    expect(findableShare('Greens', 'Greenstead')).toBe(12 / 24)
    expect(findableShare('', '東京')).toBe(0)
  })

  it('counts stored characters without whitespace', () => {
    expect(storedCharacters('哉国 又')).toBe(3)
    expect(storedCharacters(' \n ')).toBe(0)
  })
})
