import type { AiParameters, ImageRecord, SourceType } from '../../../shared/types/image'

/** An `images` row joined with its AI parameters, as SQLite returns it. */
export interface ImageRow {
  id: number
  folder: string
  path: string
  filename: string
  ext: string
  filesize: number
  mtime: number
  hash: string
  width: number
  height: number
  format: string
  animated: number
  frames: number
  type: SourceType
  illustid: string | null
  page: number | null
  userid: string | null
  username: string | null
  tweetid: string | null
  postid: string | null
  md5: string | null
  date: number | null
  textlen: number
  text: string | null
  /** Copied from the pixiv work (see pixiv-queries.ts); the record carries them in `pixiv`. */
  title: string | null
  views: number | null
  likes: number | null
  bookmarks: number | null
  comments: number | null
  added_at: number
  updated_at: number
  ai_source: AiParameters['source'] | null
  ai_prompt: string | null
  ai_negative_prompt: string | null
  ai_seed: number | null
  ai_steps: number | null
  ai_cfg: number | null
  ai_sampler: string | null
  ai_model: string | null
  ai_extra: string | null
  ai_raw: string | null
}

export const IMAGE_SELECT = `
  SELECT i.*, a.source AS ai_source, a.prompt AS ai_prompt, a.negative_prompt AS ai_negative_prompt,
         a.seed AS ai_seed, a.steps AS ai_steps, a.cfg AS ai_cfg, a.sampler AS ai_sampler,
         a.model AS ai_model, a.extra AS ai_extra, a.raw AS ai_raw
  FROM images i LEFT JOIN ai_parameters a ON a.image_id = i.id`

/** Row → record; optional columns that are NULL are left out rather than set to null. */
export function rowToImage(row: ImageRow, tags1: string[], tags?: Record<string, number>): ImageRecord {
  const image: ImageRecord = {
    id: row.id,
    folder: row.folder,
    path: row.path,
    filename: row.filename,
    ext: row.ext,
    filesize: row.filesize,
    mtime: row.mtime,
    hash: row.hash,
    width: row.width,
    height: row.height,
    format: row.format,
    animated: row.animated === 1,
    frames: row.frames,
    type: row.type,
    textlen: row.textlen,
    addedAt: row.added_at,
    updatedAt: row.updated_at,
  }
  const optional = { illustid: row.illustid, page: row.page, userid: row.userid, username: row.username, tweetid: row.tweetid, postid: row.postid, md5: row.md5, date: row.date, text: row.text }
  for (const [key, value] of Object.entries(optional)) {
    if (value !== null) Object.assign(image, { [key]: value })
  }
  if (tags1.length) image.tags1 = tags1
  if (tags) image.tags = tags
  if (row.ai_source !== null && row.ai_prompt !== null && row.ai_raw !== null) {
    const ai: AiParameters = { source: row.ai_source, prompt: row.ai_prompt, raw: row.ai_raw }
    if (row.ai_negative_prompt !== null) ai.negativePrompt = row.ai_negative_prompt
    if (row.ai_seed !== null) ai.seed = row.ai_seed
    if (row.ai_steps !== null) ai.steps = row.ai_steps
    if (row.ai_cfg !== null) ai.cfg = row.ai_cfg
    if (row.ai_sampler !== null) ai.sampler = row.ai_sampler
    if (row.ai_model !== null) ai.model = row.ai_model
    if (row.ai_extra !== null) ai.extra = JSON.parse(row.ai_extra) as Record<string, string>
    image.ai = ai
  }
  return image
}
