import type { AiParameters, ImageRecord, SourceFields } from '../../../shared/types/image'
import { tagScoresOf } from './tag-scores'

/**
 * One image as the servers profile stores it in MongoDB (see docs/query-semantics.md). Absent
 * optional fields are left out, never stored as null, so `$exists` tells whether a value is there.
 */
export interface MongoImageDocument extends Omit<SourceFields, 'tags1'> {
  _id: number
  id: number
  folder: string
  path: string
  filename: string
  ext: string
  format: string
  filesize: number
  width: number
  height: number
  frames: number
  animated: boolean
  hash: string
  /** pixiv metadata of the work, copied onto each page image so queries filter and sort on it. */
  title?: string
  views?: number
  likes?: number
  bookmarks?: number
  comments?: number
  mtime: number
  added: number
  /** Length of the OCR text; 0 when there is none. */
  textlen: number
  text?: string
  /** [] when none. */
  tags1: string[]
  /** Tagger output, one element per tag: `n` the name, `s` the score. [] when none. */
  tagList: Array<{ n: string; s: number }>
  /** The tag names (what a tag clause without comparisons matches; multikey-indexed). */
  tagNames: string[]
  /** Tag scores by name key (tag-scores.ts): what a tag clause with score comparisons reads. */
  tagScores: Record<string, number>
  ai?: MongoAiDocument
}

/** The AI parameters the query language reads (the rest stays with the image record). */
export type MongoAiDocument = Pick<AiParameters, 'prompt' | 'negativePrompt' | 'seed' | 'steps' | 'cfg' | 'sampler' | 'model'>

const OPTIONAL_SOURCE_FIELDS = ['illustid', 'page', 'userid', 'username', 'tweetid', 'postid', 'md5', 'date'] as const
const OPTIONAL_AI_FIELDS = ['negativePrompt', 'seed', 'steps', 'cfg', 'sampler', 'model'] as const

/**
 * The MongoDB document of an image record: `addedAt` becomes `added`, tags become a `tagList` of
 * `{ n, s }` so one element can be matched on name and score together, and the query fields of
 * the pixiv work (title and counts) sit at the top level. The whole work (description, tags) is
 * the work's own document, not repeated per page.
 *
 * @example
 * toMongoDocument(image) // { _id: 7, id: 7, …, tags1: [], tagList: [{ n: 'long_hair', s: 0.93 }] }
 */
export function toMongoDocument(image: ImageRecord): MongoImageDocument {
  const document: MongoImageDocument = {
    _id: image.id,
    id: image.id,
    folder: image.folder,
    path: image.path,
    filename: image.filename,
    ext: image.ext,
    format: image.format,
    filesize: image.filesize,
    width: image.width,
    height: image.height,
    frames: image.frames,
    animated: image.animated,
    hash: image.hash,
    type: image.type,
    mtime: image.mtime,
    added: image.addedAt,
    textlen: image.textlen,
    tags1: image.tags1 ? [...image.tags1] : [],
    tagList: Object.entries(image.tags ?? {}).map(([n, s]) => ({ n, s })),
    tagNames: Object.keys(image.tags ?? {}),
    tagScores: tagScoresOf(image.tags ?? {}),
  }
  for (const key of OPTIONAL_SOURCE_FIELDS) {
    const value = image[key]
    if (value !== undefined && value !== null) Object.assign(document, { [key]: value })
  }
  if (image.text !== undefined && image.text !== null) document.text = image.text
  if (image.pixiv) {
    const { title, views, likes, bookmarks, comments } = image.pixiv
    Object.assign(document, { title, views, likes, bookmarks, comments })
  }
  if (image.ai) {
    const ai: MongoAiDocument = { prompt: image.ai.prompt }
    for (const key of OPTIONAL_AI_FIELDS) {
      const value = image.ai[key]
      if (value !== undefined && value !== null) Object.assign(ai, { [key]: value })
    }
    document.ai = ai
  }
  return document
}
