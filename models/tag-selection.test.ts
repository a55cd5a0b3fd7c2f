import { describe, expect, it } from 'vitest'
import { selectTags } from './tag-selection'
import type { TaggerTag } from './tagger-layout'

const TAGS: TaggerTag[] = [
  { name: 'rating:general', category: 'rating' },
  { name: 'rating:sensitive', category: 'rating' },
  { name: 'long_hair', category: 'general' },
  { name: 'smile', category: 'general' },
  { name: 'hatsune_miku', category: 'character' },
  { name: 'some_artist', category: 'artist' },
]
const THRESHOLDS = { general: 0.35, character: 0.85 }

describe('selectTags', () => {
  it('applies the general threshold to general tags and the character threshold to characters', () => {
    const tags = selectTags([0.9, 0.1, 0.35, 0.34, 0.8, 0.5], TAGS, THRESHOLDS)
    expect(tags.map((tag) => tag.name)).toEqual(['rating:general', 'some_artist', 'long_hair'])
    expect(selectTags([0.9, 0.1, 0, 0, 0.85, 0], TAGS, THRESHOLDS).map((tag) => tag.name)).toContain('hatsune_miku')
  })

  it('keeps the best rating when none reaches the threshold, and every rating that does', () => {
    expect(selectTags([0.1, 0.2, 0, 0, 0, 0], TAGS, THRESHOLDS)).toEqual([{ name: 'rating:sensitive', category: 'rating', score: 0.2 }])
    expect(selectTags([0.5, 0.4, 0, 0, 0, 0], TAGS, THRESHOLDS).map((tag) => tag.name)).toEqual(['rating:general', 'rating:sensitive'])
  })

  it('skips scores that are not numbers', () => {
    expect(selectTags([0.9, Number.NaN, Number.NaN, 0.5, 0, 0], TAGS, THRESHOLDS).map((tag) => tag.name)).toEqual(['rating:general', 'smile'])
  })
})
