import { describe, expect, it } from 'vitest'
import { originalUrl, sourceLinks, sourceUrl } from './image-urls'

describe('image URLs', () => {
  it('links a pixiv image to its work and its user, a tweet to itself and its user, a yande.re post', () => {
    expect(sourceLinks({ type: 'pixiv', illustid: '89732420', userid: '1113943' })).toEqual([
      { kind: 'pixivArtwork', href: 'https://www.pixiv.net/artworks/89732420' },
      { kind: 'pixivUser', href: 'https://www.pixiv.net/users/1113943' },
    ])
    expect(sourceLinks({ type: 'twitter', tweetid: '1234', userid: 'some_user' }).map((link) => link.href)).toEqual(['https://x.com/some_user/status/1234', 'https://x.com/some_user'])
    expect(sourceLinks({ type: 'yandere', postid: '555' })).toEqual([{ kind: 'yandere', href: 'https://yande.re/post/show/555' }])
    expect(sourceLinks({ type: 'other' })).toEqual([])
  })

  it('makes no link from an id that is not a plain id', () => {
    expect(sourceLinks({ type: 'pixiv', illustid: '1/../../evil', userid: 'javascript:alert(1)' })).toEqual([])
    expect(sourceLinks({ type: 'twitter', tweetid: '1', userid: 'a?b' })).toEqual([])
  })

  it('links a Danbooru post from its id only, never from an md5 or an artist', () => {
    expect(sourceLinks({ type: 'danbooru', postid: '4567890' })).toEqual([{ kind: 'danbooru', href: 'https://danbooru.donmai.us/posts/4567890' }])
    expect(sourceUrl({ type: 'danbooru', postid: '4567890' })).toBe('https://danbooru.donmai.us/posts/4567890')
    expect(sourceLinks({ type: 'danbooru' })).toEqual([])
    expect(sourceLinks({ type: 'danbooru', postid: 'abc_def' })).toEqual([])
    expect(sourceUrl({ type: 'danbooru', postid: '12/../x' })).toBeUndefined()
  })

  it('encodes every path segment of an original', () => {
    expect(originalUrl({ folder: 'my pics', path: 'a b/#1.png' })).toBe('/files/my%20pics/a%20b/%231.png')
  })
})
