import { z } from 'zod'
import type { PixivWork } from '../../shared/types/image'

/**
 * What one reply of `GET /ajax/illust/{id}` means.
 * - `ok`: the work's metadata.
 * - `permanent`: pixiv's own answer that there is nothing to get (deleted, or not visible to us);
 *   asking again will not change it.
 * - `transient`: anything else (429, 5xx, a page that is not the API's JSON, an unexpected shape);
 *   worth another try.
 */
export type IllustReply =
  | { kind: 'ok'; work: Omit<PixivWork, 'fetchedAt'> }
  | { kind: 'permanent'; status: 'deleted' | 'restricted'; message: string }
  | { kind: 'transient'; message: string }

// Only the fields Sagasu keeps are checked; pixiv sends many more (urls, userIllusts, zoneConfig, …).
const count = z.number().int().min(0)
const tag = z.object({
  tag: z.string(),
  translation: z.object({ en: z.string().optional() }).nullish(),
})
const body = z.object({
  illustId: z.string().regex(/^\d+$/),
  illustTitle: z.string(),
  illustComment: z.string(),
  userId: z.string(),
  userName: z.string(),
  createDate: z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'not a date'),
  viewCount: count,
  likeCount: count,
  bookmarkCount: count,
  commentCount: count,
  tags: z.object({ tags: z.array(tag) }),
})
const success = z.object({ error: z.literal(false), body })
const refusal = z.object({ error: z.literal(true), message: z.string() })

/**
 * pixiv's wording when a work exists but is hidden from this session: limited to the creator's
 * My pixiv list, hidden, or age-restricted without a login. Japanese and English (the language
 * follows the session's settings).
 */
const RESTRICTED = /limited who can view|restricted|my ?pixiv|マイピク|閲覧|公開|ログイン|log ?in|R-18/i

/**
 * Reads one reply. A reply with the API's `error: true` flag is permanent (restricted when its
 * status is 401/403 or its message says so, deleted otherwise); so is a 404. 429 and 5xx are
 * transient whatever they carry.
 *
 * @example
 * interpretReply(404, '{"error":true,"message":"該当作品は削除されたか、存在しない作品IDです。","body":[]}')
 * // { kind: 'permanent', status: 'deleted', message: '該当作品は削除されたか、存在しない作品IDです。' }
 */
export function interpretReply(status: number, text: string): IllustReply {
  if (status === 429 || status >= 500) return { kind: 'transient', message: `HTTP ${status}` }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    if (status === 404) return { kind: 'permanent', status: 'deleted', message: 'HTTP 404' }
    return { kind: 'transient', message: `HTTP ${status}: the reply is not JSON (${describeText(text)})` }
  }
  const refused = refusal.safeParse(json)
  if (refused.success) {
    const message = refused.data.message.trim() || `HTTP ${status}`
    const restricted = status === 401 || status === 403 || RESTRICTED.test(message)
    return { kind: 'permanent', status: restricted ? 'restricted' : 'deleted', message }
  }
  if (status === 404) return { kind: 'permanent', status: 'deleted', message: 'HTTP 404' }
  if (status < 200 || status > 299) return { kind: 'transient', message: `HTTP ${status}` }
  const parsed = success.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    return { kind: 'transient', message: `unexpected reply: ${issue.path.join('.') || '(top level)'}: ${issue.message}` }
  }
  const work = parsed.data.body
  return {
    kind: 'ok',
    work: {
      illustid: work.illustId,
      title: work.illustTitle,
      description: work.illustComment,
      userId: work.userId,
      userName: work.userName,
      createDate: Date.parse(work.createDate),
      views: work.viewCount,
      likes: work.likeCount,
      bookmarks: work.bookmarkCount,
      comments: work.commentCount,
      tags: work.tags.tags.map((t) => (t.translation?.en ? { tag: t.tag, translation: t.translation.en } : { tag: t.tag })),
    },
  }
}

/** The start of a reply for an error message, on one line. */
function describeText(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  if (!line) return 'empty'
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line)
}
