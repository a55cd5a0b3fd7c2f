import { describe, expect, it } from 'vitest'
import { characterErrorRate, editDistance } from './character-error-rate'

describe('characterErrorRate', () => {
  it('counts substitutions, insertions and deletions over the expected length', () => {
    expect(characterErrorRate('東京の空', '東京の空')).toBe(0)
    expect(characterErrorRate('東京の室', '東京の空')).toBe(0.25)
    expect(characterErrorRate('東京空', '東京の空')).toBe(0.25)
    expect(characterErrorRate('東京のの空', '東京の空')).toBe(0.25)
    expect(editDistance([...'kitten'], [...'sitting'])).toBe(3)
  })

  it('compares whitespace loosely', () => {
    expect(characterErrorRate(' Hello\n world ', 'Hello world')).toBe(0)
  })

  it('handles empty texts', () => {
    expect(characterErrorRate('', '')).toBe(0)
    expect(characterErrorRate('x', '')).toBe(1)
    expect(characterErrorRate('', 'abcd')).toBe(1)
  })

  it('counts code points, not UTF-16 units', () => {
    expect(characterErrorRate('𠮷野家', '𠮷野屋')).toBeCloseTo(1 / 3)
  })
})
