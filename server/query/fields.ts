/**
 * The fields a query may name, with their types. Types drive value parsing (numbers, dates, strings)
 * and which clause forms a field takes. Compilers map these names to their own columns.
 */
export type FieldType = 'number' | 'date' | 'string' | 'boolean'

export interface FieldInfo {
  type: FieldType
  description: string
  /** The only values a string field takes, when it is an enumeration. */
  values?: readonly string[]
  /** Whether it can be sorted on. */
  sortable: boolean
}

export const FIELDS = {
  id: { type: 'number', description: 'image id', sortable: true },
  folder: { type: 'string', description: 'configured folder name', sortable: true },
  path: { type: 'string', description: 'path inside the folder', sortable: true },
  filename: { type: 'string', description: 'file name', sortable: true },
  ext: { type: 'string', description: 'file extension, lower case', sortable: true },
  format: { type: 'string', description: 'content format', values: ['png', 'jpeg', 'gif', 'webp', 'avif', 'bmp'], sortable: true },
  filesize: { type: 'number', description: 'file size in bytes', sortable: true },
  width: { type: 'number', description: 'width in pixels', sortable: true },
  height: { type: 'number', description: 'height in pixels', sortable: true },
  frames: { type: 'number', description: 'number of frames', sortable: true },
  animated: { type: 'boolean', description: 'more than one frame', sortable: true },
  hash: { type: 'string', description: 'content hash (xxhash64, 16 hex digits)', sortable: false },
  type: { type: 'string', description: 'source', values: ['pixiv', 'twitter', 'yandere', 'danbooru', 'other', 'pixiv1'], sortable: true },
  illustid: { type: 'string', description: "the source's id of the work: pixiv illust id, tweet id, or yande.re or Danbooru post id", sortable: true },
  page: { type: 'number', description: 'pixiv page index, or the photo\'s index in its tweet (from 0)', sortable: true },
  userid: { type: 'string', description: 'pixiv user id or Twitter handle', sortable: true },
  username: { type: 'string', description: 'user name', sortable: true },
  tweetid: { type: 'string', description: 'tweet id', sortable: true },
  postid: { type: 'string', description: 'yande.re or Danbooru post id', sortable: true },
  md5: { type: 'string', description: 'MD5 a booru named the file by (yande.re, Danbooru)', sortable: true },
  date: { type: 'date', description: 'date of the work (tweet date from the file name, pixiv posting date)', sortable: true },
  title: { type: 'string', description: 'pixiv title of the work', sortable: true },
  views: { type: 'number', description: 'pixiv view count', sortable: true },
  likes: { type: 'number', description: 'pixiv like count', sortable: true },
  bookmarks: { type: 'number', description: 'pixiv bookmark count', sortable: true },
  comments: { type: 'number', description: 'pixiv comment count', sortable: true },
  mtime: { type: 'date', description: 'file modification time', sortable: true },
  added: { type: 'date', description: 'when Sagasu indexed it', sortable: true },
  textlen: { type: 'number', description: 'length of the OCR text', sortable: true },
  seed: { type: 'number', description: 'AI generation seed', sortable: true },
  steps: { type: 'number', description: 'AI sampling steps', sortable: true },
  cfg: { type: 'number', description: 'AI CFG scale', sortable: true },
  sampler: { type: 'string', description: 'AI sampler', sortable: true },
  model: { type: 'string', description: 'AI model', sortable: true },
} as const satisfies Record<string, FieldInfo>

export type FieldName = keyof typeof FIELDS

export function isField(name: string): name is FieldName {
  return Object.hasOwn(FIELDS, name)
}

/**
 * PxIMSE's names (its documents kept pixiv's own keys, and its UI writes `user;="…"` and sorts by
 * `createDate`): accepted in queries and sorts, read as the field they stand for. `createDate` is
 * pixiv's posting date in PxIMSE; Sagasu's `date` holds it for pixiv works, and a tweet's date too.
 */
export const FIELD_ALIASES: Readonly<Record<string, FieldName>> = {
  viewCount: 'views',
  likeCount: 'likes',
  bookmarkCount: 'bookmarks',
  commentCount: 'comments',
  user: 'username',
  createDate: 'date',
}

/**
 * The field a name stands for: itself, or the field an alias names.
 *
 * @example
 * canonicalField('likeCount') // 'likes'
 * canonicalField('width') // 'width'
 */
export function canonicalField(name: string): string {
  return Object.hasOwn(FIELD_ALIASES, name) ? FIELD_ALIASES[name]! : name
}

/** Clause keywords that are not plain fields: `tags.NAME`, `tags1:…`, and the full-text prefixes. */
export const TEXT_PREFIXES = { m: 'ocr', mt: 'tags1', prompt: 'prompt', negative: 'negative' } as const

/** Names that `field` / `!field` (exists) also accept besides FIELDS. */
export const EXISTS_ONLY = ['tags', 'tags1', 'm', 'prompt'] as const

/**
 * `type;=pixiv1`: PxIMSE's type of its own for pixiv files named `{illustid}_p{page}` (no user id).
 * Sagasu stores them as `pixiv`; the value selects the pixiv images whose file name has no user id.
 */
export const PIXIV_WITHOUT_USER = 'pixiv1'

export function knownFieldList(): string {
  return [...Object.keys(FIELDS), 'tags.<name>', 'tags1', ...Object.keys(TEXT_PREFIXES)].join(', ')
}
