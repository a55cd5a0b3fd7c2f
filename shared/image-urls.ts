import type { ImageRecord } from './types/image'

/**
 * The thumbnail of an image: content-addressed, so copies share it.
 *
 * @example
 * thumbnailUrl({ hash: 'bb1a161164c874de' }) // '/thumbs/bb1a161164c874de.webp'
 */
export function thumbnailUrl(image: Pick<ImageRecord, 'hash'>): string {
  return `/thumbs/${image.hash}.webp`
}

/**
 * The original, with each path segment encoded (names may hold spaces, `#`, `?` or Japanese).
 *
 * @example
 * originalUrl({ folder: 'my pics', path: 'a b/#1.png' }) // '/files/my%20pics/a%20b/%231.png'
 */
export function originalUrl(image: Pick<ImageRecord, 'folder' | 'path'>): string {
  return `/files/${encodeURIComponent(image.folder)}/${image.path.split('/').map(encodeURIComponent).join('/')}`
}

/**
 * Where the image came from, when the file name tells.
 *
 * @example
 * sourceUrl({ type: 'pixiv', illustid: '89732420' }) // 'https://www.pixiv.net/artworks/89732420'
 */
export function sourceUrl(image: Pick<ImageRecord, 'type' | 'illustid' | 'tweetid' | 'userid' | 'postid'>): string | undefined {
  if (image.type === 'pixiv' && image.illustid) return `https://www.pixiv.net/artworks/${image.illustid}`
  if (image.type === 'twitter' && image.tweetid && image.userid) return `https://x.com/${image.userid}/status/${image.tweetid}`
  if (image.type === 'yandere' && image.postid) return `https://yande.re/post/show/${image.postid}`
  if (image.type === 'danbooru' && image.postid && /^\d{1,12}$/.test(image.postid)) return `https://danbooru.donmai.us/posts/${image.postid}`
  return undefined
}

export type SourceLinkKind = 'pixivArtwork' | 'pixivUser' | 'tweet' | 'twitterUser' | 'yandere' | 'danbooru'

/**
 * Every page about the image that its fields point to: the work and its author.
 *
 * @example
 * sourceLinks({ type: 'pixiv', illustid: '89732420', userid: '1113943' })
 * // [{ kind: 'pixivArtwork', href: 'https://www.pixiv.net/artworks/89732420' }, { kind: 'pixivUser', href: 'https://www.pixiv.net/users/1113943' }]
 */
export function sourceLinks(image: Pick<ImageRecord, 'type' | 'illustid' | 'tweetid' | 'userid' | 'postid'>): Array<{ kind: SourceLinkKind; href: string }> {
  const links: Array<{ kind: SourceLinkKind; href: string }> = []
  const id = (value: string | undefined) => (value && /^[A-Za-z0-9_]{1,64}$/.test(value) ? value : undefined)
  if (image.type === 'pixiv') {
    if (id(image.illustid)) links.push({ kind: 'pixivArtwork', href: `https://www.pixiv.net/artworks/${image.illustid}` })
    if (id(image.userid)) links.push({ kind: 'pixivUser', href: `https://www.pixiv.net/users/${image.userid}` })
  } else if (image.type === 'twitter') {
    if (id(image.tweetid) && id(image.userid)) links.push({ kind: 'tweet', href: `https://x.com/${image.userid}/status/${image.tweetid}` })
    if (id(image.userid)) links.push({ kind: 'twitterUser', href: `https://x.com/${image.userid}` })
  } else if (image.type === 'yandere' && id(image.postid)) {
    links.push({ kind: 'yandere', href: `https://yande.re/post/show/${image.postid}` })
  } else if (image.type === 'danbooru' && image.postid && /^\d{1,12}$/.test(image.postid)) {
    // From the post id only: a Danbooru name's md5 or artist is not a link to follow.
    links.push({ kind: 'danbooru', href: `https://danbooru.donmai.us/posts/${image.postid}` })
  }
  return links
}
