import { describe, expect, it } from 'vitest'
import { tagScoreKey, tagScoresOf } from './tag-scores'

describe('tag score keys', () => {
  it('are field names without dots or dollars, one per name', () => {
    const names = ['c.c.', '$money', 'st._louis_(azur_lane)', '猫耳', 'a,b', 'a', 'A', 'x y']
    const keys = names.map(tagScoreKey)
    for (const key of keys) expect(key).toMatch(/^t[0-9a-f]+$/)
    expect(new Set(keys).size).toBe(names.length)
    expect(tagScoresOf({ 'c.c.': 0.9 })).toEqual({ t632e632e: 0.9 })
  })
})
