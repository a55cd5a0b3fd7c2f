import type { SourceFields, SourceType, TagInfo } from './image'

// The dataset API (docs/dataset-api.md) names its fields in snake_case, as the danbooru-style
// dataset tools it follows do; the rest of Sagasu's API is camelCase.

/** The three parts of a batch set. */
export type DatasetSplit = 'train' | 'validation' | 'test'

/** `GET /api/dataset/stats`. */
export interface DatasetStats {
  num_images: number
  /** Tagger tags carried by at least one image. */
  num_tags: number
  /** Distinct `rating:*` tags carried by at least one image. */
  num_ratings: number
  by_type: Record<SourceType, number>
}

/** `GET /api/dataset/tags/:name`. */
export type DatasetTag = TagInfo

/** One image as the dataset routes return it: what a training script needs, with URLs to fetch it. */
export interface DatasetImage extends Omit<SourceFields, 'tags1'> {
  id: number
  /** xxhash64 of the content, 16 hex digits. */
  hash: string
  folder: string
  path: string
  file_ext: string
  file_size: number
  width: number
  height: number
  /** The work's page (pixiv, X, yande.re), when the file name tells. */
  source_url?: string
  /** The highest-scoring `rating:*` tag without its prefix (`general`, `sensitive`, …); null without one. */
  rating: string | null
  /** Tagger tag names, highest confidence first, `rating:*` tags left out. */
  tags: string[]
  /** Tags from the source (yande.re file names, pixiv tags). */
  tags1: string[]
  /** `/files/{folder}/{path}`, each segment percent-encoded. */
  file_url: string
  /** `/thumbs/{hash}.webp`. */
  thumb_url: string
}

/** `GET /api/dataset/images`. */
export interface DatasetImagePage {
  /** Images on this page. */
  count: number
  /** Images matching the query in all. */
  total: number
  /** 0-based. */
  page: number
  size: number
  result: DatasetImage[]
}

/** `GET /api/dataset/images/random`. */
export interface DatasetSample {
  count: number
  total: number
  /** The seed used: the one given, or the one drawn when none was. */
  seed: number | string
  result: DatasetImage[]
}

/** What `POST /api/dataset/batches` takes (after defaults). */
export interface BatchSetParameters {
  batch_size: number
  /** Percent of the images in the validation split, 0–100 (decimals allowed). */
  validation_split: number
  /** Percent of the images in the test split, 0–100; with validation_split at most 100. */
  test_split: number
  /** A whole number 0…2^53−1 or a string; `42` and `"42"` are the same seed. */
  seed: number | string
  /** Query text (the search language); empty for every image. */
  q: string
}

/** `GET /api/dataset/batches/:id`. */
export interface BatchSetInfo extends BatchSetParameters {
  id: string
  /** Epoch milliseconds (UTC). */
  created_at: number
  total_batches: number
  train_batches: number
  validation_batches: number
  test_batches: number
  total_images: number
  train_images: number
  validation_images: number
  test_images: number
}

/** `GET /api/dataset/batches/:id/:split/:n`. */
export interface DatasetBatch {
  /** Images returned. */
  count: number
  /** Members of this batch whose content is no longer in the library (left out of `result`). */
  missing: number
  result: DatasetImage[]
}
