import type { SourceFields } from '../../../shared/types/image'
import type { NameContext } from './name-parts'
import { parseCompactDate, splitTags, trimZeros, tweetDate, TWITTER_HANDLE } from './source-values'

/**
 * The file and folder names that downloaders write by default, each read from the tool's own
 * source (repository, path and commit cited on each layout; docs/configuration.md lists them).
 * A layout returns undefined when the name is not its form. Folder names are read only where the
 * layout says whose they are, and only when the file name itself is that layout's form: a folder
 * that does not match leaves the user fields empty, never wrong.
 */
export interface Layout {
  /** The tool and form, for docs and tests. */
  name: string
  parse(context: NameContext): SourceFields | undefined
}

const PIXIV_SIZE = '(?:_(?:master|square|custom)\\d{2,4})?'

// pixiv's own file names (i.pximg.net/img-original/…/{id}_p{n}.png, the CDN's master1200 and
// square1200 sizes), PxIMSE's `{userid}_{illustid}_p{n}`, ugoira frames `{id}_ugoira{frame}`.
// PixEZ writes `{illust_id}_p{part}` by default: Notsfsssf/pixez-flutter
// 9057b3c88edff84f5e0f1dde31c519799565d4da lib/store/user_setting.dart (`intialFormat`).
// gallery-dl's pixiv default is `{id}_p{num}` in `pixiv/{user[id]} {user[account]}/`, its series
// `{num_series:>03}_{id}_p{num}` in `pixiv/{user[id]} {user[account]}/{series[id]} {series[title]}/`:
// mikf/gallery-dl 86047cf67a12bdb6ff1085774f8ad9fc347e8da9 gallery_dl/extractor/pixiv.py
// (PixivExtractor, PixivSeriesExtractor).
const PIXIV_PAGE = new RegExp(`^(?:(\\d{1,12})_)?(\\d{1,12})_p(\\d{1,4})${PIXIV_SIZE}$`)
const PIXIV_UGOIRA = /^(\d{1,12})_ugoira(\d{1,5})$/
// gallery-dl's `{user[id]} {user[account]}`; pixiv accounts are ASCII letters, digits, "_" and "-".
const GALLERY_DL_PIXIV_USER = /^(\d{1,12}) [A-Za-z0-9_-]{1,32}$/
const GALLERY_DL_SERIES = /^\d{1,12} /
// PixEZ's "single folder" option: `{user_name}_{user_id}/` (save_store.dart, applySingleFolder)
// inside Pictures/pixez (android/…/plugin/Imager.kt).
const PIXEZ_USER = /^(.+)_(\d{1,12})$/

const pixivOriginal: Layout = {
  name: 'pixiv original, PixEZ, gallery-dl pixiv',
  parse({ stem, folders }) {
    const ugoira = PIXIV_UGOIRA.exec(stem)
    if (ugoira) return { type: 'pixiv', illustid: trimZeros(ugoira[1]!), page: 0 }
    const match = PIXIV_PAGE.exec(stem)
    if (!match) return undefined
    const [, first, illustid, page] = match
    const fields: SourceFields = { type: 'pixiv', illustid: trimZeros(illustid!), page: Number(page) }
    // gallery-dl's series number is zero-padded to three digits (`{num_series:>03}`): a padded
    // number, or any number in a gallery-dl series folder, is a position in a series, never a user
    // id. Elsewhere a first number is PxIMSE's user id as before (pixiv's early users have ids of
    // three digits and fewer).
    const [parent = '', grandparent = '', above = ''] = folders
    const inSeriesFolder = GALLERY_DL_SERIES.test(parent) && GALLERY_DL_PIXIV_USER.test(grandparent)
    const seriesNumber = first !== undefined && (first.startsWith('0') || (first.length === 3 && inSeriesFolder))
    if (first !== undefined && !seriesNumber) return { ...fields, userid: trimZeros(first) }
    const userFolder = seriesNumber && GALLERY_DL_SERIES.test(parent) && above === 'pixiv' ? grandparent
      : !seriesNumber && grandparent === 'pixiv' ? parent : undefined
    const galleryDl = userFolder === undefined ? null : GALLERY_DL_PIXIV_USER.exec(userFolder)
    if (galleryDl) return { ...fields, userid: trimZeros(galleryDl[1]!) }
    const pixez = !seriesNumber && grandparent.toLowerCase() === 'pixez' ? PIXEZ_USER.exec(parent) : null
    if (pixez) return { ...fields, userid: trimZeros(pixez[2]!), username: pixez[1]! }
    return fields
  },
}

// PixivBatchDownloader's default naming rule `pixiv/{user}-{user_id}/{id}-{title}`, where `{id}` is
// `{pid}_p{p}`, or `{pid}` alone for the first image when `noSerialNo` applies (ugoira by default):
// xuejianxianzun/PixivBatchDownloader ca4d23b74d5ab2e21df08fcd40f8799adda8290a src/ts/Config.ts
// (defaultNameRuleForArtwork), src/ts/FileName.ts (createId, createPNum), src/ts/setting/Settings.ts
// (noSerialNo, setNoSerialNoForUgoira, serialNoStart 0). Characters a file system forbids become
// full-width ones (src/ts/utils/Utils.ts, replaceUnsafeStr), so `/` in a title is `／`.
const PBD_FILE = /^(\d{1,12})(?:_p(\d{1,4}))?-(.+)$/
const PBD_USER = /^(.+)-(\d{1,12})$/

const pixivBatchDownloader: Layout = {
  name: 'PixivBatchDownloader',
  parse({ stem, folders }) {
    const match = PBD_FILE.exec(stem)
    if (!match) return undefined
    const [, illustid, page] = match
    const user = folders[1] === 'pixiv' ? PBD_USER.exec(folders[0] ?? '') : null
    // Without `_p` the name is only digits and a dash ("2023-summer"): the rule's folders must say it is PixivBatchDownloader's.
    if (page === undefined && !user) return undefined
    return {
      type: 'pixiv',
      illustid: trimZeros(illustid!),
      page: page === undefined ? 0 : Number(page),
      ...(user ? { userid: trimZeros(user[2]!), username: user[1]! } : {}),
    }
  },
}

// PixivUtil2's default `%artist% (%member_id%)/%urlFilename% - %title%`, `%urlFilename%` being the
// image URL's name (`{id}_p{n}`, an ugoira's `{id}_ugoira{w}x{h}`): Nandaka/PixivUtil2
// 8dacc2eca03e612b56b636b24b3ac17f2c5c5684 common/PixivConfig.py (filenameFormat,
// filenameMangaFormat), common/PixivHelper.py (make_filename; sanitize_filename replaces
// `?:<>|*"` with `_` on Windows, replace_path_separator `/` and `\` with `_`).
const PIXIVUTIL2_FILE = /^(\d{1,12})_(?:p(\d{1,4})|ugoira\d{1,5}x\d{1,5}) -(?: .*)?$/
const PIXIVUTIL2_USER = /^(.*) \((\d{1,12})\)$/

const pixivUtil2: Layout = {
  name: 'PixivUtil2',
  parse({ stem, folders }) {
    const match = PIXIVUTIL2_FILE.exec(stem)
    if (!match) return undefined
    const user = PIXIVUTIL2_USER.exec(folders[0] ?? '')
    return {
      type: 'pixiv',
      illustid: trimZeros(match[1]!),
      page: match[2] === undefined ? 0 : Number(match[2]),
      ...(user ? { userid: trimZeros(user[2]!), ...(user[1] ? { username: user[1] } : {}) } : {}),
    }
  },
}

// AMANE's Twitter Media Downloader userscript: `twitter_{user-name}(@{user-id})_{date-time}_{status-id}_{file-type}`,
// `{date-time}` in UTC as YYYYMMDD-hhmmss, and `-{index}` (0-based) after it when a tweet has several
// media: king1x32/compiledUserscripts c66ddef917df53debb6308a8b97b175b55dfbc40
// release/Twitter20Media20Downloader.user.js (version 1.27). `_{n}` is accepted as before, without a page.
const TWITTER_AMANE = /^twitter_(.*)\(@([A-Za-z0-9_]{1,50})\)_(\d{8})-(\d{6})_(\d{1,20})_(?:photo|gif|video|img)(?:-(\d{1,2})|_\d{1,2})?$/

const twitterMediaDownloaderAmane: Layout = {
  name: 'Twitter Media Downloader (AMANE)',
  parse({ stem }) {
    const match = TWITTER_AMANE.exec(stem)
    if (!match) return undefined
    const [, username, userid, ymd, hms, tweetid, index] = match
    const date = parseCompactDate(ymd!, hms!)
    return {
      type: 'twitter',
      userid: userid!,
      tweetid: trimZeros(tweetid!),
      ...(username ? { username } : {}),
      ...(date === undefined ? {} : { date }),
      ...(index === undefined ? {} : { page: Number(index) }),
    }
  },
}

// furyutei's twMediaDownloader: `{screen_name}-{tweet_id}-{YYYYMMDD_hhmmss}-img{n}` (n from 1), the
// time in the browser's local zone: furyutei/twMediaDownloader 070a715a7508024e07e51a578bbf6ae449f62779
// src/js/twMediaDownloader.user.js (image_filename, format_date). The date is taken from the tweet id.
const TWITTER_FURYUTEI = /^([A-Za-z0-9_]{1,20})-(\d{1,20})-\d{8}_\d{6}-(?:img|gif|vid)(\d{1,2})$/

const twMediaDownloaderFuryutei: Layout = {
  name: 'twMediaDownloader (furyutei)',
  parse({ stem }) {
    const match = TWITTER_FURYUTEI.exec(stem)
    if (!match) return undefined
    return tweetFields(match[1]!, match[2]!, Number(match[3]) - 1)
  },
}

// gallery-dl's Twitter default `twitter/{user[name]}/{tweet_id}_{num}`, `user[name]` being the
// handle (screen_name) and `num` counting from 1: mikf/gallery-dl 86047cf67a12bdb6ff1085774f8ad9fc347e8da9
// gallery_dl/extractor/twitter.py (TwitterExtractor, _transform_user). A bare `{digits}_{n}` is
// anybody's name: only read under gallery-dl's `twitter/{handle}/` folders.
const GALLERY_DL_TWEET = /^(\d{10,20})_(\d{1,2})$/

const galleryDlTwitter: Layout = {
  name: 'gallery-dl twitter',
  parse({ stem, folders }) {
    const match = GALLERY_DL_TWEET.exec(stem)
    if (!match || folders[1] !== 'twitter' || !TWITTER_HANDLE.test(folders[0] ?? '') || Number(match[2]) < 1) return undefined
    return tweetFields(folders[0]!, match[1]!, Number(match[2]) - 1)
  },
}

function tweetFields(userid: string, tweetid: string, page: number): SourceFields {
  const date = tweetDate(tweetid)
  return { type: 'twitter', userid, tweetid: trimZeros(tweetid), page, ...(date === undefined ? {} : { date }) }
}

// yande.re's (Moebooru's) own names: `yande.re {id} {tags}`, a sample's `yande.re {id} sample {tags}`:
// moebooru/moebooru d149a95f0e7267f299801e11456199e398f6a7a5 app/models/post/file_methods.rb
// (pretty_file_name). The JPEG copy's name sometimes carries `jpeg` there too. curl and wget keep
// the URL's escapes (`yande.re%20123%20…`): parseSourcePath decodes them.
const YANDERE = /^yande\.re (\d{1,12})(?: (.*))?$/
const YANDERE_MARKERS = new Set(['sample', 'jpeg'])

const yandere: Layout = {
  name: 'yande.re',
  parse({ stem }) {
    const match = YANDERE.exec(stem)
    if (!match) return undefined
    const words = splitTags((match[2] ?? '').replaceAll(',', ' '))
    const tags = YANDERE_MARKERS.has(words[0] ?? '') ? words.slice(1) : words
    return { type: 'yandere', postid: trimZeros(match[1]!), ...(tags.length ? { tags1: tags } : {}) }
  },
}

// gallery-dl's Moebooru and Danbooru defaults `{category}_{id}_{md5}` and `{category}_{id}_{filename}`
// (Danbooru's file names are the md5), pools and favourite groups `{num:>04}_{id}_{filename}` under
// `danbooru/`, media assets `{category}_ma{id}_{filename}` (an asset id, not a post id):
// mikf/gallery-dl 86047cf67a12bdb6ff1085774f8ad9fc347e8da9 gallery_dl/extractor/moebooru.py,
// gallery_dl/extractor/danbooru.py.
const GALLERY_DL_BOORU = /^(yandere|danbooru)_(\d{1,12})_([0-9a-f]{32})$/
const GALLERY_DL_DANBOORU_ASSET = /^danbooru_ma\d{1,12}_([0-9a-f]{32})$/
const GALLERY_DL_DANBOORU_POOL = /^\d{4,}_(\d{1,12})_([0-9a-f]{32})$/

const galleryDlBooru: Layout = {
  name: 'gallery-dl yande.re / danbooru',
  parse({ stem, folders }) {
    const post = GALLERY_DL_BOORU.exec(stem)
    if (post) return { type: post[1] as 'yandere' | 'danbooru', postid: trimZeros(post[2]!), md5: post[3]! }
    const asset = GALLERY_DL_DANBOORU_ASSET.exec(stem)
    if (asset) return { type: 'danbooru', md5: asset[1]! }
    const pooled = GALLERY_DL_DANBOORU_POOL.exec(stem)
    if (pooled && folders.slice(1, 3).includes('danbooru')) return { type: 'danbooru', postid: trimZeros(pooled[1]!), md5: pooled[2]! }
    return undefined
  },
}

// Danbooru's own names. The file URL's `__{tags}__{md5}` (older: `{tags}__{md5}`), samples
// `__{tags}__sample-{md5}`, the tags being "characters (copyright) drawn by artists" with every run
// of other characters than a-z0-9 made one `_`; and the download button's `{tags} - {md5}`, which is
// `#{post id} - {md5}` for a post without such tags: danbooru/danbooru 06587d1f933502ae5d749c967787d44be3938846
// app/models/post.rb (seo_tags), app/presenters/tag_set_presenter.rb (humanized_essential_tag_string),
// app/presenters/post_presenter.rb (filename_for_download). Several artists are joined with "and":
// the artist is then left out, since a name can hold "and" too.
const DANBOORU_URL_NAME = /^(?:__)?([a-z0-9_]*?)__(?:sample-)?([0-9a-f]{32})$/
const DANBOORU_DOWNLOAD = /^(.+) - ([0-9a-f]{32})$/

const danbooru: Layout = {
  name: 'Danbooru',
  parse({ stem }) {
    const url = DANBOORU_URL_NAME.exec(stem)
    if (url) return { type: 'danbooru', md5: url[2]!, ...artist(url[1]!, '_drawn_by_', '_and_') }
    const download = DANBOORU_DOWNLOAD.exec(stem)
    if (!download) return undefined
    const post = /^#(\d{1,12})$/.exec(download[1]!)
    if (post) return { type: 'danbooru', postid: trimZeros(post[1]!), md5: download[2]! }
    return { type: 'danbooru', md5: download[2]!, ...artist(download[1]!, ' drawn by ', ' and ') }
  },
}

function artist(tags: string, marker: string, joiner: string): Pick<SourceFields, 'username'> {
  const at = tags.lastIndexOf(marker)
  if (at < 0) return {}
  const name = tags.slice(at + marker.length)
  return name && !name.includes(joiner) && !name.includes(', ') ? { username: name } : {}
}

/**
 * In the order they are tried. Hydrus exports have no layout: its default export phrase is `{hash}`,
 * the file's SHA-256 (hydrusnetwork/hydrus 62a6fa0c14d580d2e01458de86358cf6810a5a27
 * hydrus/client/ClientOptions.py, `export_phrase`), which names no source: such files stay `other`,
 * and so does every name no layout claims.
 */
export const BUILTIN_LAYOUTS: readonly Layout[] = [
  twitterMediaDownloaderAmane,
  twMediaDownloaderFuryutei,
  yandere,
  galleryDlBooru,
  danbooru,
  pixivUtil2,
  pixivBatchDownloader,
  pixivOriginal,
  galleryDlTwitter,
]
