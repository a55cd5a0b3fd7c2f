import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeScore, encodeScore, parseTagKey, tagKey } from './tag-keys'

describe('tag keys', () => {
  it('encode scores so that string order is numeric order, and decode them exactly', () => {
    fc.assert(fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), (a, b) => {
      const [x, y] = [encodeScore(a), encodeScore(b)]
      expect(x).toMatch(/^[0-9a-f]{16}$/)
      if (a < b) expect(x < y).toBe(true)
      if (a === b) expect(x).toBe(y)
      expect(decodeScore(x)).toBe(a === 0 ? 0 : a)
    }))
  })

  it('round-trip a name with any characters after the separator', () => {
    expect(parseTagKey(tagKey('st._louis_(azur_lane)', 0.93))).toEqual({ name: 'st._louis_(azur_lane)', score: 0.93 })
    expect(parseTagKey(tagKey(':d', 1))).toEqual({ name: ':d', score: 1 })
  })
})
