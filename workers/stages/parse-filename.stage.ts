import type { SourceFields } from '../../shared/types/image'

/**
 * Source data from a file name (without folder). Every form PxIMSE knows, plus the variants
 * pixiv's own CDN names and common downloaders produce. Never throws: an unknown name is `other`.
 *
 * @example
 * parseFilename('12345_98765432_p2.png') // { type: 'pixiv', userid: '12345', illustid: '98765432', page: 2 }
 */
export function parseFilename(filename: string): SourceFields {
  const stem = stripDuplicateMarker(stripExtension(filename))
  return parsePixiv(stem) ?? parseTwitter(stem) ?? parseYandere(stem) ?? { type: 'other' }
}

function stripExtension(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(0, dot) : name
}

/** Browsers and file managers add " (1)" or "(1)" to a second download of the same name. */
function stripDuplicateMarker(stem: string): string {
  return stem.replace(/ ?\(\d{1,3}\)$/, '')
}

// {userid}_{illustid}_p{page}, {illustid}_p{page}, each optionally with a CDN size suffix.
const PIXIV_PAGE = /^(?:(\d{1,12})_)?(\d{1,12})_p(\d{1,4})(?:_(?:master|square|custom)\d{2,4})?$/
// Ugoira frames are named by frame number, not page: the work is one page.
const PIXIV_UGOIRA = /^(\d{1,12})_ugoira(\d{1,5})$/

function parsePixiv(stem: string): SourceFields | undefined {
  const page = PIXIV_PAGE.exec(stem)
  if (page) {
    const [, userid, illustid, pageIndex] = page
    return { type: 'pixiv', illustid: trimZeros(illustid!), page: Number(pageIndex), ...(userid ? { userid: trimZeros(userid) } : {}) }
  }
  const ugoira = PIXIV_UGOIRA.exec(stem)
  if (ugoira) return { type: 'pixiv', illustid: trimZeros(ugoira[1]!), page: 0 }
  return undefined
}

// twitter_{user_name}(@{user_id})_{YYYYMMDD-HHMMSS}_{tweet_id}_photo, optionally numbered (_1, -2).
const TWITTER = /^twitter_(.*)\(@([A-Za-z0-9_]{1,50})\)_(\d{8})-(\d{6})_(\d{1,20})_(?:photo|gif|video|img)(?:[_-]?\d{1,2})?$/

function parseTwitter(stem: string): SourceFields | undefined {
  const match = TWITTER.exec(stem)
  if (!match) return undefined
  const [, username, userid, ymd, hms, tweetid] = match
  const date = parseCompactDate(ymd!, hms!)
  return {
    type: 'twitter',
    userid: userid!,
    tweetid: trimZeros(tweetid!),
    ...(username ? { username } : {}),
    ...(date === undefined ? {} : { date }),
  }
}

/** YYYYMMDD + HHMMSS as UTC epoch ms, or undefined when it is not a real calendar time. */
function parseCompactDate(ymd: string, hms: string): number | undefined {
  const [y, mo, d] = [Number(ymd.slice(0, 4)), Number(ymd.slice(4, 6)), Number(ymd.slice(6, 8))]
  const [h, mi, s] = [Number(hms.slice(0, 2)), Number(hms.slice(2, 4)), Number(hms.slice(4, 6))]
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  const back = new Date(ms)
  const valid = back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d
    && back.getUTCHours() === h && back.getUTCMinutes() === mi && back.getUTCSeconds() === s
  return valid && y >= 2006 ? ms : undefined
}

// yande.re {id} {tag} {tag} …
const YANDERE = /^yande\.re (\d{1,12})(?: (.*))?$/

function parseYandere(stem: string): SourceFields | undefined {
  const match = YANDERE.exec(stem)
  if (!match) return undefined
  const tags = (match[2] ?? '').split(' ').map((tag) => tag.trim()).filter(Boolean)
  return { type: 'yandere', postid: trimZeros(match[1]!), ...(tags.length ? { tags1: [...new Set(tags)] } : {}) }
}

function trimZeros(id: string): string {
  return id.replace(/^0+(?=\d)/, '')
}
