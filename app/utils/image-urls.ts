import type { ImageRecord } from '#shared/types/image'

export function thumbnailUrl(image: Pick<ImageRecord, 'hash'>): string {
  return `/thumbs/${image.hash}.webp`
}

/** The original, with each path segment encoded (names may hold spaces, `#`, `?` or Japanese). */
export function originalUrl(image: Pick<ImageRecord, 'folder' | 'path'>): string {
  return `/files/${encodeURIComponent(image.folder)}/${image.path.split('/').map(encodeURIComponent).join('/')}`
}

/** Where the image came from, when the file name tells. */
export function sourceUrl(image: ImageRecord): string | undefined {
  if (image.type === 'pixiv' && image.illustid) return `https://www.pixiv.net/artworks/${image.illustid}`
  if (image.type === 'twitter' && image.tweetid && image.userid) return `https://x.com/${image.userid}/status/${image.tweetid}`
  if (image.type === 'yandere' && image.postid) return `https://yande.re/post/show/${image.postid}`
  return undefined
}
