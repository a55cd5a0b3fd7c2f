/** Leading zeros are padding (`{num_series:>03}`, zero-padded ids), not part of an id. */
export function trimZeros(id: string): string {
  return id.replace(/^0+(?=\d)/, '')
}

/** YYYYMMDD + HHMMSS as UTC epoch ms, or undefined when it is not a real calendar time. */
export function parseCompactDate(ymd: string, hms: string): number | undefined {
  const [y, mo, d] = [Number(ymd.slice(0, 4)), Number(ymd.slice(4, 6)), Number(ymd.slice(6, 8))]
  const [h, mi, s] = [Number(hms.slice(0, 2)), Number(hms.slice(2, 4)), Number(hms.slice(4, 6))]
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  const back = new Date(ms)
  const valid = back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d
    && back.getUTCHours() === h && back.getUTCMinutes() === mi && back.getUTCSeconds() === s
  return valid && y >= 2006 ? ms : undefined
}

/** Twitter's epoch (2010-11-04T01:42:54.657Z): snowflake ids count milliseconds from it. */
const TWITTER_EPOCH = 1_288_834_974_657n
/** The first snowflake tweet id; smaller ids were sequential and carry no time. */
const FIRST_SNOWFLAKE = 27_000_000_000_000_000n

/**
 * The posting time a tweet id carries (its top 41 bits count milliseconds since Twitter's epoch),
 * exact and in UTC whatever time zone a downloader wrote its date in; undefined for a pre-2010 id.
 *
 * @example
 * tweetDate('1657890123456789012') // 1657890123456789012 >> 22 + epoch
 */
export function tweetDate(tweetid: string): number | undefined {
  if (!/^\d{1,20}$/.test(tweetid)) return undefined
  const id = BigInt(tweetid)
  if (id < FIRST_SNOWFLAKE || id >= 1n << 63n) return undefined
  return Number((id >> 22n) + TWITTER_EPOCH)
}

/** A Twitter handle (`@name`): letters, digits and `_`, at most 15 (older accounts: up to 20). */
export const TWITTER_HANDLE = /^[A-Za-z0-9_]{1,20}$/

/** Space- or comma-separated tags, each once, in order. */
export function splitTags(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((tag) => tag.trim()).filter(Boolean))]
}
