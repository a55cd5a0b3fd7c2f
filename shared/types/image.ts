/** Where an image came from, as told by its file name. */
export type SourceType = 'pixiv' | 'twitter' | 'yandere' | 'danbooru' | 'other'

/** Fields parsed from a file's name and folders (see workers/stages/parse-filename.stage.ts). */
export interface SourceFields {
  type: SourceType
  illustid?: string
  /** pixiv page index, or a photo's index within its tweet; 0-based. */
  page?: number
  userid?: string
  username?: string
  tweetid?: string
  /** yande.re or Danbooru post id. */
  postid?: string
  /** The MD5 of the file as a booru named it (yande.re, Danbooru), 32 lower-case hex digits. */
  md5?: string
  /** Tweet date from the file name, epoch milliseconds (UTC). */
  date?: number
  tags1?: string[]
}

/**
 * The tools whose AI-generation metadata Sagasu reads, by the label stored as `AiParameters.source`.
 * A file keeps the label of the form its parameters were read from (a ComfyUI saver that writes
 * A1111 text is `a1111` when only that text could be read).
 */
export const AI_SOURCES = ['a1111', 'comfyui', 'novelai', 'swarmui', 'fooocus', 'invokeai', 'stability-matrix', 'hf-space', 'tensorart'] as const

export type AiSource = (typeof AI_SOURCES)[number]

/** AI-generation parameters read from image metadata. */
export interface AiParameters {
  source: AiSource
  prompt: string
  negativePrompt?: string
  seed?: number
  steps?: number
  cfg?: number
  sampler?: string
  model?: string
  /**
   * Other key/values worth keeping. Keys shared across tools are normalised (`size`, `modelHash`,
   * `scheduler`, `seed` for seeds beyond 2^53, `loras`, `denoise`); others keep the tool's name.
   */
  extra?: Record<string, string>
  /** The original text it was parsed from, capped at 64 KiB. */
  raw: string
}

/** One indexed image file, as the store returns it. */
export interface ImageRecord extends SourceFields {
  id: number
  folder: string
  /** Path relative to the folder root, with `/` separators. */
  path: string
  filename: string
  ext: string
  filesize: number
  /** File modification time, epoch milliseconds. */
  mtime: number
  /** xxhash64 of the file content, 16 hex digits: the image's identity across renames and moves. */
  hash: string
  width: number
  height: number
  format: string
  animated: boolean
  frames: number
  ai?: AiParameters
  /** Tagger output: tag name → confidence (0–1). Categories live with the tag names (see TagInfo). */
  tags?: Record<string, number>
  textlen: number
  text?: string
  /** pixiv's metadata of the work (every page of it), once `sagasu pixiv` fetched it. */
  pixiv?: PixivWork
  addedAt: number
  updatedAt: number
}

/** Everything the import pipeline computes for one file; the store assigns id and timestamps. */
export type ImageInput = Omit<ImageRecord, 'id' | 'addedAt' | 'updatedAt' | 'textlen' | 'text' | 'tags' | 'pixiv'>

/** A pixiv tag with its English translation, when pixiv has one. */
export interface PixivTag {
  tag: string
  translation?: string
}

/**
 * What pixiv says about a work (`GET https://www.pixiv.net/ajax/illust/{id}`). It belongs to the
 * illust id, not to a file: every page image shares it, and a re-imported file keeps it.
 */
export interface PixivWork {
  illustid: string
  title: string
  /** The caption as pixiv sends it: HTML (`<br />`, links through `/jump.php`). Render it as text. */
  description: string
  userId: string
  userName: string
  /** When the work was posted, epoch milliseconds. */
  createDate: number
  views: number
  likes: number
  bookmarks: number
  comments: number
  /** In pixiv's order. */
  tags: PixivTag[]
  /** When Sagasu fetched it, epoch milliseconds. */
  fetchedAt: number
}

export type TagCategory = 'general' | 'character' | 'rating' | 'artist' | 'copyright' | 'meta'

/** A tag as the tagger stage writes it. */
export interface TagScore {
  name: string
  category: TagCategory
  score: number
}

/** A tag name with its category and how many images carry it (autocomplete, stats). */
export interface TagInfo {
  name: string
  category: TagCategory
  count: number
}
