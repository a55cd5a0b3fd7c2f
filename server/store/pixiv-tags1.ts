import type { PixivTag } from '../../shared/types/image'

/**
 * The tags1 of a pixiv work: pixiv's tags in their order, then their English translations, each
 * value once. Both store profiles write this, so `tags1:` and `mt;` find a work by either.
 *
 * @example
 * pixivTags1([{ tag: 'オリジナル', translation: 'original' }, { tag: '女の子', translation: 'girl' }])
 * // ['オリジナル', '女の子', 'original', 'girl']
 */
export function pixivTags1(tags: readonly PixivTag[]): string[] {
  const values = [...tags.map((tag) => tag.tag), ...tags.flatMap((tag) => (tag.translation ? [tag.translation] : []))]
  return [...new Set(values.map((value) => value.trim()).filter(Boolean))]
}
