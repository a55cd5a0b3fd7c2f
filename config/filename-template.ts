import type { SourceType } from '../shared/types/image'

/** A user's naming template from the config's `filenames` list. */
export interface FilenameTemplate {
  template: string
  type: SourceType
}

/** A template that cannot be compiled; `position` is 1-based within the template text. */
export class TemplateError extends Error {
  override name = 'TemplateError'
  constructor(readonly position: number, readonly reason: string) {
    super(`${reason} at position ${position}`)
  }
}

/** What a placeholder's text becomes. */
export type Role = 'id' | 'idWithPage' | 'page0' | 'page1' | 'userid' | 'username' | 'tags' | 'md5' | 'date' | 'text' | 'word'

interface Placeholder {
  role: Role
  /** The role it has for a type whose tools mean another thing by it. */
  byType?: Partial<Record<SourceType, Role>>
  /** The types it may be used with; every type when absent. */
  types?: readonly SourceType[]
}

const PIXIV: readonly SourceType[] = ['pixiv']
const TWITTER: readonly SourceType[] = ['twitter']
const POSTS: readonly SourceType[] = ['yandere', 'danbooru']

/**
 * Each tool's own placeholder names (gallery-dl's `{user[id]}`, PixivBatchDownloader's `{user_id}`,
 * PixivUtil2's `%member_id%`, PixEZ's `{illust_id}`, AMANE's `{status-id}`), mapped to fields.
 * Text that is matched but not stored (titles, categories) uses `text`/`word`.
 */
const PLACEHOLDERS: Readonly<Record<string, Placeholder>> = {
  // ids: the work (pixiv), the tweet (twitter), the post (yande.re, Danbooru)
  id: { role: 'idWithPage' },
  id_num: { role: 'id' }, pid: { role: 'id' }, illust_id: { role: 'id', types: PIXIV }, illustid: { role: 'id', types: PIXIV },
  image_id: { role: 'id', types: PIXIV },
  tweet_id: { role: 'id', types: TWITTER }, tweetid: { role: 'id', types: TWITTER }, 'status-id': { role: 'id', types: TWITTER },
  post_id: { role: 'id', types: POSTS }, postid: { role: 'id', types: POSTS },
  // pages: pixiv counts from 0; gallery-dl's twitter `{num}` and PixivUtil2's `%page_number%` from 1
  // (gallery-dl's twitter `{user[name]}` is the handle, its pixiv `{user[name]}` the display name)
  p: { role: 'page0' }, p_num: { role: 'page0' }, page: { role: 'page0' }, part: { role: 'page0' }, page_index: { role: 'page0' },
  page_number: { role: 'page1' }, num: { role: 'page0', byType: { twitter: 'page1' } },
  // users
  user_id: { role: 'userid' }, userid: { role: 'userid' }, member_id: { role: 'userid', types: PIXIV }, 'user[id]': { role: 'userid' },
  'user-id': { role: 'userid', types: TWITTER }, screen_name: { role: 'userid', types: TWITTER },
  user: { role: 'username' }, user_name: { role: 'username' }, username: { role: 'username' }, artist: { role: 'username' },
  'user-name': { role: 'username' }, 'user[nick]': { role: 'username', types: TWITTER }, 'user[name]': { role: 'username', byType: { twitter: 'userid' } },
  'user[account]': { role: 'word', types: PIXIV },
  // the rest
  tags: { role: 'tags' }, tags_string: { role: 'tags', types: POSTS },
  md5: { role: 'md5' }, filename: { role: 'text' },
  date: { role: 'date' }, 'date-time': { role: 'date', types: TWITTER },
  title: { role: 'text' }, p_title: { role: 'text' }, translated_title: { role: 'text' }, series_title: { role: 'text' },
  'series[title]': { role: 'text' }, 'series[id]': { role: 'word' }, num_series: { role: 'word' }, series_order: { role: 'word' },
  page_tag: { role: 'text' }, page_title: { role: 'text' }, search_tags: { role: 'text' }, category: { role: 'word' }, 'file-type': { role: 'word', types: TWITTER },
  rank: { role: 'word' }, bmk: { role: 'word' }, urlFilename: { role: 'idWithPage', types: PIXIV }, 'full-text': { role: 'text' },
}

/** The text each role matches; none crosses a folder boundary. */
const ROLE_PATTERN: Record<Role, string> = {
  id: '(\\d{1,20})',
  idWithPage: '(\\d{1,20}(?:_p\\d{1,4})?)',
  page0: '(\\d{1,4})',
  page1: '(\\d{1,4})',
  userid: '([^/]+?)',
  username: '([^/]+?)',
  tags: '([^/]+?)',
  md5: '([0-9a-fA-F]{32})',
  date: '(\\d{4}[-_./]?\\d{2}[-_./]?\\d{2}(?:[-_ T.]?\\d{2}[-_:.]?\\d{2}(?:[-_:.]?\\d{2})?)?)',
  text: '([^/]*?)',
  word: '([^/]+?)',
}

export interface CompiledTemplate {
  type: SourceType
  /** How many path segments (folders + file name) it spans. */
  segments: number
  /** Matches the last `segments` segments joined by `/`; group n is the text of `roles[n - 1]`. */
  regex: RegExp
  roles: Role[]
}

/**
 * Compiles a template into a pattern over a path's last segments, its extension and duplicate
 * marker already stripped (workers/stages/filenames/template-fields.ts turns a match into fields).
 * Placeholders are `{name}` (a `:format` after the name, gallery-dl's `{num:>03}`, is allowed and
 * ignored) or PixivUtil2's `%name%`; `{{` and `}}` are literal braces. A trailing `.{extension}` /
 * `.{ext}` is dropped. Throws TemplateError naming the 1-based position.
 *
 * @example
 * compileTemplate({ template: '{user}-{user_id}/{id}_p{page}-{title}', type: 'pixiv' }).roles
 * // ['username', 'userid', 'idWithPage', 'page0', 'text']
 */
export function compileTemplate({ template, type }: FilenameTemplate): CompiledTemplate {
  const text = template.replace(/\.(?:\{(?:extension|ext)\}|%ext%)$/, '')
  if (!text.trim()) throw new TemplateError(1, 'the template is empty')
  if (text.startsWith('/') || text.endsWith('/')) throw new TemplateError(text.startsWith('/') ? 1 : text.length, 'a template starts and ends with a name, not "/"')
  const roles: Role[] = []
  let segments = 1
  let pattern = ''
  let index = 0
  while (index < text.length) {
    const char = text[index]!
    if (char === '{' && text[index + 1] === '{') { pattern += '\\{'; index += 2; continue }
    if (char === '}' && text[index + 1] === '}') { pattern += '\\}'; index += 2; continue }
    if (char === '}') throw new TemplateError(index + 1, 'unbalanced "}" (write "}}" for a literal brace)')
    if (char === '{' || (char === '%' && /^%[A-Za-z_]+%/.test(text.slice(index)))) {
      const close = text.indexOf(char === '{' ? '}' : '%', index + 1)
      const nextOpen = text.indexOf('{', index + 1)
      if (close < 0 || (char === '{' && nextOpen >= 0 && nextOpen < close)) throw new TemplateError(index + 1, 'unbalanced "{": no "}" closes it')
      const name = text.slice(index + 1, close).split(':')[0]!.trim()
      if (!name) throw new TemplateError(index + 1, 'empty placeholder')
      const placeholder = Object.hasOwn(PLACEHOLDERS, name) ? PLACEHOLDERS[name]! : undefined
      if (!placeholder) throw new TemplateError(index + 1, `unknown placeholder "${name}" (known: ${Object.keys(PLACEHOLDERS).join(', ')})`)
      if (placeholder.types && !placeholder.types.includes(type)) throw new TemplateError(index + 1, `placeholder "${name}" does not fit type ${type} (it fits ${placeholder.types.join(', ')})`)
      const role = placeholder.byType?.[type] ?? placeholder.role
      roles.push(role)
      pattern += ROLE_PATTERN[role]
      index = close + 1
      continue
    }
    if (char === '/') segments += 1
    pattern += char === '/' ? '/' : escapeRegExp(char)
    index += 1
  }
  if (!roles.length) throw new TemplateError(1, 'the template has no placeholder')
  return { type, segments, regex: new RegExp(`^${pattern}$`, 'u'), roles }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

