import { describe, expect, it } from 'vitest'
import type { SourceFields } from '../../../shared/types/image'
import { parseFilename } from '../parse-filename.stage'

/**
 * Names as each tool writes them by default (the layouts cite the tools' source). Expected values
 * are read off the names by hand; a tweet's date is Twitter's snowflake formula: (id >> 22) + 1288834974657.
 */
type Row = [path: string, expected: SourceFields, rootPath?: string]

const tweetTime = (id: string) => Number((BigInt(id) >> 22n) + 1_288_834_974_657n)
const TWEET = '1657890123456789012'
const MD5 = '8d819da4871c3ca39f428999df8220ce'

function table(rows: Row[]) {
  it.each(rows)('%s', (path, expected, rootPath) => {
    expect(parseFilename(path, rootPath === undefined ? {} : { rootPath })).toEqual(expected)
  })
}

describe('pixiv original names (kept as before)', () => {
  table([
    ['98765432_p0.png', { type: 'pixiv', illustid: '98765432', page: 0 }],
    ['123456789_p12_master1200.jpg', { type: 'pixiv', illustid: '123456789', page: 12 }],
    ['12345678_123456789_p2.png', { type: 'pixiv', userid: '12345678', illustid: '123456789', page: 2 }],
    ['123456789_ugoira35.jpg', { type: 'pixiv', illustid: '123456789', page: 0 }],
  ])
})

describe('gallery-dl pixiv: pixiv/{user[id]} {user[account]}/{id}_p{num}', () => {
  table([
    ['pixiv/1234567 shizuku_art/98765432_p0.png', { type: 'pixiv', illustid: '98765432', page: 0, userid: '1234567' }],
    ['gallery-dl/pixiv/87654321 a-b_c/123456789_p3.jpg', { type: 'pixiv', illustid: '123456789', page: 3, userid: '87654321' }],
    // The configured folder is gallery-dl/pixiv itself: its name counts.
    ['1234567 shizuku_art/98765432_p1.png', { type: 'pixiv', illustid: '98765432', page: 1, userid: '1234567' }, '/home/me/gallery-dl/pixiv'],
    // series `{num_series:>03}_{id}_p{num}`: the series number is not a user id
    ['pixiv/1234567 shizuku_art/55555 夏の シリーズ/001_98765432_p0.png', { type: 'pixiv', illustid: '98765432', page: 0, userid: '1234567' }],
    ['001_98765432_p0.png', { type: 'pixiv', illustid: '98765432', page: 0 }],
    // Three digits unpadded: a series number only in a series folder, else PxIMSE's user id.
    ['pixiv/1234567 shizuku_art/55555 Series/123_98765432_p0.png', { type: 'pixiv', illustid: '98765432', page: 0, userid: '1234567' }],
    ['123_98765432_p0.png', { type: 'pixiv', userid: '123', illustid: '98765432', page: 0 }],
    ['1_101_p0.png', { type: 'pixiv', userid: '1', illustid: '101', page: 0 }],
    ['pixiv/1234567 shizuku_art/55555 Series/012_98765432_p2.png', { type: 'pixiv', illustid: '98765432', page: 2, userid: '1234567' }],
    // bookmarks name the person who bookmarked, rankings a date: no user
    ['pixiv/bookmarks/7654321 collector/98765432_p0.png', { type: 'pixiv', illustid: '98765432', page: 0 }],
    ['pixiv/rankings/daily/2024-01-01/98765432_p0.png', { type: 'pixiv', illustid: '98765432', page: 0 }],
    ['pixiv/following/98765432_p0.png', { type: 'pixiv', illustid: '98765432', page: 0 }],
  ])
})

describe('PixivBatchDownloader: pixiv/{user}-{user_id}/{id}-{title}', () => {
  table([
    ['pixiv/初音ミク公式-12345678/98765432_p0-夏のワンピース.png', { type: 'pixiv', illustid: '98765432', page: 0, userid: '12345678', username: '初音ミク公式' }],
    // emoji, spaces and a dash in the user name; a full-width ／ for a title's "/"
    ['pixiv/しずく🌸 art-by-me-1234567/123456789_p2-タイトル／サブ：2.jpg', { type: 'pixiv', illustid: '123456789', page: 2, userid: '1234567', username: 'しずく🌸 art-by-me' }],
    // ugoira: no `_p`
    ['pixiv/Name (Circle)-1234567/98765432-うごイラ.gif', { type: 'pixiv', illustid: '98765432', page: 0, userid: '1234567', username: 'Name (Circle)' }],
    ['Name-1234567/98765432-t.webp', { type: 'pixiv', illustid: '98765432', page: 0, userid: '1234567', username: 'Name' }, '/data/downloads/pixiv'],
    // outside pixiv/: the folder is not the rule's
    ['downloads/Summer-2023/98765432_p0-title.png', { type: 'pixiv', illustid: '98765432', page: 0 }],
    ['downloads/Summer-2023/98765432-title.png', { type: 'other' }],
    ['2023-summer.png', { type: 'other' }],
    ['20230514-1.jpg', { type: 'other' }],
  ])
})

describe('PixivUtil2: %artist% (%member_id%)/%urlFilename% - %title%', () => {
  table([
    ['しずく (1234567)/98765432_p0 - 夏.png', { type: 'pixiv', illustid: '98765432', page: 0, userid: '1234567', username: 'しずく' }],
    ['Name (Circle) (1234567)/123456789_p3 - タイトル_サブ_.jpg', { type: 'pixiv', illustid: '123456789', page: 3, userid: '1234567', username: 'Name (Circle)' }],
    ['🎨 絵描き (87654321)/123456789_ugoira1920x1080 - うごイラ.gif', { type: 'pixiv', illustid: '123456789', page: 0, userid: '87654321', username: '🎨 絵描き' }],
    // Windows: `?:<>|*"` are `_` in the title
    ['a_b (1234567)/98765432_p1 - what_ a _title_.png', { type: 'pixiv', illustid: '98765432', page: 1, userid: '1234567', username: 'a_b' }],
    ['loose/98765432_p1 - 夏.png', { type: 'pixiv', illustid: '98765432', page: 1 }],
    ['Summer (2023)/IMG_1234 - copy.jpg', { type: 'other' }],
  ])
})

describe('PixEZ: {illust_id}_p{part}, with "single folder" pixez/{user_name}_{user_id}/', () => {
  table([
    ['pixez/しずく_1234567/98765432_p0.jpg', { type: 'pixiv', illustid: '98765432', page: 0, userid: '1234567', username: 'しずく' }],
    ['ab cd_ef_7654321/123456789_p4.png', { type: 'pixiv', illustid: '123456789', page: 4, userid: '7654321', username: 'ab cd_ef' }, '/storage/emulated/0/Pictures/pixez'],
    // PixEZ drops / \ : * ? > | from names (lib/exts.dart, toLegal): "Re:Zero ❤ fan" is saved as below
    ['pixez/ReZero ❤ fan_1234567/98765432_p0.jpg', { type: 'pixiv', illustid: '98765432', page: 0, userid: '1234567', username: 'ReZero ❤ fan' }],
    ['pixez/98765432_p0.jpg', { type: 'pixiv', illustid: '98765432', page: 0 }],
    ['wallpapers_2023/98765432_p0.png', { type: 'pixiv', illustid: '98765432', page: 0 }],
  ])
})

describe('Twitter Media Downloader (AMANE): twitter_{user-name}(@{user-id})_{date-time}_{status-id}_{file-type}', () => {
  table([
    [`twitter_しずく_art(@shizuku_art)_20230514-213045_${TWEET}_photo.jpg`,
      { type: 'twitter', username: 'しずく_art', userid: 'shizuku_art', tweetid: TWEET, date: Date.UTC(2023, 4, 14, 21, 30, 45) }],
    [`twitter_A (B) 🌸(@ab_12)_20230514-213045_${TWEET}_photo-3.png`,
      { type: 'twitter', username: 'A (B) 🌸', userid: 'ab_12', tweetid: TWEET, date: Date.UTC(2023, 4, 14, 21, 30, 45), page: 3 }],
    [`twitter_Ｘ／Ｙ(@xy)_20230514-213045_${TWEET}_gif.mp4`, { type: 'twitter', username: 'Ｘ／Ｙ', userid: 'xy', tweetid: TWEET, date: Date.UTC(2023, 4, 14, 21, 30, 45) }],
  ])
})

describe('twMediaDownloader (furyutei): {screen_name}-{tweet_id}-{YYYYMMDD_hhmmss}-img{n}', () => {
  table([
    [`shizuku_art-${TWEET}-20230515_063045-img1.jpg`, { type: 'twitter', userid: 'shizuku_art', tweetid: TWEET, page: 0, date: tweetTime(TWEET) }],
    [`ab_12-${TWEET}-20230515_063045-img4.png`, { type: 'twitter', userid: 'ab_12', tweetid: TWEET, page: 3, date: tweetTime(TWEET) }],
  ])
})

describe('gallery-dl twitter: twitter/{user[name]}/{tweet_id}_{num}', () => {
  table([
    [`twitter/shizuku_art/${TWEET}_1.jpg`, { type: 'twitter', userid: 'shizuku_art', tweetid: TWEET, page: 0, date: tweetTime(TWEET) }],
    [`gallery-dl/twitter/ab_12/${TWEET}_4.png`, { type: 'twitter', userid: 'ab_12', tweetid: TWEET, page: 3, date: tweetTime(TWEET) }],
    [`ab_12/${TWEET}_2.png`, { type: 'twitter', userid: 'ab_12', tweetid: TWEET, page: 1, date: tweetTime(TWEET) }, '/srv/gallery-dl/twitter'],
    // not under twitter/: a number and a counter are anybody's
    [`photos/${TWEET}_1.jpg`, { type: 'other' }],
    ['twitter/shizuku_art/20230101_1.jpg', { type: 'other' }],
    [`twitter/しずく/${TWEET}_1.jpg`, { type: 'other' }],
  ])
})

describe('yande.re', () => {
  table([
    ['yande.re 1123456 long_hair st._louis_(azur_lane) seifuku.jpg', { type: 'yandere', postid: '1123456', tags1: ['long_hair', 'st._louis_(azur_lane)', 'seifuku'] }],
    ['yande.re 1123456 sample long_hair seifuku.jpg', { type: 'yandere', postid: '1123456', tags1: ['long_hair', 'seifuku'] }],
    ['yande.re 1123456 jpeg long_hair.jpg', { type: 'yandere', postid: '1123456', tags1: ['long_hair'] }],
    // curl -O of gallery-dl's test URL (test/results/yandere.py)
    ['yande.re%2051824%20armor%20ouzoku%20pantsu%20sasaki_tamaru%20softhouse_chara%20sword%20thighhighs.jpg',
      { type: 'yandere', postid: '51824', tags1: ['armor', 'ouzoku', 'pantsu', 'sasaki_tamaru', 'softhouse_chara', 'sword', 'thighhighs'] }],
    ['yande.re%201123456%20sample%20long_hair.jpg', { type: 'yandere', postid: '1123456', tags1: ['long_hair'] }],
    // gallery-dl `{category}_{id}_{md5}`
    [`yandere_1123456_${MD5}.jpg`, { type: 'yandere', postid: '1123456', md5: MD5 }],
    [`konachan_1123456_${MD5}.jpg`, { type: 'other' }],
    ['yande.re%ZZ1.jpg', { type: 'other' }],
  ])
})

describe('Danbooru', () => {
  table([
    // the file URL's names (danbooru's own source and real downloads)
    ['__platinum_arknights_drawn_by_okita__fd7202c44752af8d9b3d5348fb30b561.jpg', { type: 'danbooru', md5: 'fd7202c44752af8d9b3d5348fb30b561', username: 'okita' }],
    [`__sonetto_reverse_1999_drawn_by_beishang_yutou__sample-${MD5}.jpg`, { type: 'danbooru', md5: MD5, username: 'beishang_yutou' }],
    ['inubashiri_momiji_touhou_drawn_by_akeboshi_kagayo__sample-5880865014745680059def1db14ebfde.jpg', { type: 'danbooru', md5: '5880865014745680059def1db14ebfde', username: 'akeboshi_kagayo' }],
    [`__hatsune_miku_vocaloid__${MD5}.png`, { type: 'danbooru', md5: MD5 }],
    // several artists: "a and b" cannot be split safely
    [`__hatsune_miku_vocaloid_drawn_by_kei_and_mika__${MD5}.png`, { type: 'danbooru', md5: MD5 }],
    // the download button's `{tags} - {md5}`, `#{id} - {md5}` without tags
    [`hatsune miku (vocaloid) drawn by kei - ${MD5}.png`, { type: 'danbooru', md5: MD5, username: 'kei' }],
    [`#4567890 - ${MD5}.png`, { type: 'danbooru', postid: '4567890', md5: MD5 }],
    // gallery-dl: posts, pools, media assets (an asset id is not a post id)
    [`danbooru_4567890_${MD5}.jpg`, { type: 'danbooru', postid: '4567890', md5: MD5 }],
    [`danbooru/pool/12345 Some Pool/0001_4567890_${MD5}.jpg`, { type: 'danbooru', postid: '4567890', md5: MD5 }],
    [`danbooru_ma123456_${MD5}.jpg`, { type: 'danbooru', md5: MD5 }],
    // a bare hash is not a post id
    [`${MD5}.jpg`, { type: 'other' }],
    [`0001_4567890_${MD5}.jpg`, { type: 'other' }],
  ])
})

describe('Hydrus exports ({hash}, a SHA-256) stay other', () => {
  table([
    ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.png', { type: 'other' }],
    ['hydrus/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.jpg', { type: 'other' }],
  ])
})

describe('bad input', () => {
  it.each(['', '.png', '/', '%', '%E3%81.png', 'a/b/c/', '{}.png', `${'あ'.repeat(300)}.png`, '\u0000.png', '..', 'pixiv/-1/-.png'])('%j is other, never a crash', (name) => {
    expect(parseFilename(name)).toEqual({ type: 'other' })
  })
})
