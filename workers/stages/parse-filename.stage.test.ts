import { describe, expect, it } from 'vitest'
import { parseFilename } from './parse-filename.stage'

describe('parseFilename', () => {
  it.each([
    ['12345_98765432_p2.png', { type: 'pixiv', userid: '12345', illustid: '98765432', page: 2 }],
    ['98765432_p0.jpg', { type: 'pixiv', illustid: '98765432', page: 0 }],
    ['98765432_p11.webp', { type: 'pixiv', illustid: '98765432', page: 11 }],
    ['98765432_p0_master1200.jpg', { type: 'pixiv', illustid: '98765432', page: 0 }],
    ['98765432_p3_square1200.jpg', { type: 'pixiv', illustid: '98765432', page: 3 }],
    ['98765432_ugoira0.jpg', { type: 'pixiv', illustid: '98765432', page: 0 }],
    ['98765432_ugoira17.jpg', { type: 'pixiv', illustid: '98765432', page: 0 }],
    ['98765432_p1 (1).png', { type: 'pixiv', illustid: '98765432', page: 1 }],
    ['yande.re 123456 long_hair st._louis_(azur_lane) school_uniform.jpg',
      { type: 'yandere', postid: '123456', tags1: ['long_hair', 'st._louis_(azur_lane)', 'school_uniform'] }],
    ['yande.re 42.png', { type: 'yandere', postid: '42' }],
    ['wallpaper.png', { type: 'other' }],
    ['IMG_2041.JPG', { type: 'other' }],
    ['12345_abc_p1.png', { type: 'other' }],
    ['', { type: 'other' }],
  ])('%s', (name, expected) => {
    expect(parseFilename(name)).toEqual(expected)
  })

  it('reads a Twitter name, keeping the date from the name', () => {
    expect(parseFilename('twitter_しずく_art(@shizuku_art)_20230514-213045_1657890123456789012_photo.jpg')).toEqual({
      type: 'twitter',
      username: 'しずく_art',
      userid: 'shizuku_art',
      tweetid: '1657890123456789012',
      date: Date.UTC(2023, 4, 14, 21, 30, 45),
    })
  })

  it('accepts numbered Twitter photos and user names with brackets', () => {
    const parsed = parseFilename('twitter_A (B)(@ab_12)_20200101-000000_123_photo_2.png')
    expect(parsed).toMatchObject({ type: 'twitter', username: 'A (B)', userid: 'ab_12', tweetid: '123' })
  })

  it('keeps a Twitter name with an impossible date as twitter, without a date', () => {
    const parsed = parseFilename('twitter_x(@x)_20231345-256199_1_photo.jpg')
    expect(parsed.type).toBe('twitter')
    expect(parsed.date).toBeUndefined()
  })

  it('does not mistake a long name for a source', () => {
    expect(parseFilename(`${'あ'.repeat(80)}.png`)).toEqual({ type: 'other' })
  })
})
