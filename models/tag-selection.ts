import type { TagScore } from '../shared/types/image'
import type { TaggerTag } from './tagger-layout'

export interface TagThresholds {
  general: number
  character: number
}

/**
 * Keeps the tags worth storing from one image's scores: general (and artist, copyright, meta) tags
 * at or over `general`, character tags at or over `character`, and the rating tags — the best
 * one always, so every tagged image has a rating, and any other at or over `general`.
 * Highest score first.
 *
 * @example
 * selectTags(Float32Array.of(0.9, 0.2, 0.6), [{ name: 'rating:general', category: 'rating' },
 *   { name: 'rating:explicit', category: 'rating' }, { name: 'red', category: 'general' }], { general: 0.35, character: 0.85 })
 * // [{ name: 'rating:general', category: 'rating', score: 0.9 }, { name: 'red', category: 'general', score: 0.6 }]
 */
export function selectTags(scores: ArrayLike<number>, tags: readonly TaggerTag[], thresholds: TagThresholds): TagScore[] {
  const kept: TagScore[] = []
  let bestRating: TagScore | undefined
  tags.forEach((tag, index) => {
    const score = scores[index]!
    if (!Number.isFinite(score)) return
    const entry = { name: tag.name, category: tag.category, score }
    if (tag.category === 'rating') {
      if (!bestRating || score > bestRating.score) bestRating = entry
      if (score >= thresholds.general) kept.push(entry)
    } else if (score >= (tag.category === 'character' ? thresholds.character : thresholds.general)) kept.push(entry)
  })
  if (bestRating && !kept.includes(bestRating)) kept.push(bestRating)
  return kept.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
}
