import { pixivWork } from '../pixiv-work'
import type { AiParameters, ImageRecord, PixivWork } from '../../../shared/types/image'
import type { PixivWorkDocument, StoredImageDocument } from './mongo-collections'
import { toMongoDocument } from './mongo-document'

const OPTIONAL_FIELDS = ['illustid', 'page', 'userid', 'username', 'tweetid', 'postid', 'md5', 'date', 'text'] as const

/** A record as the servers store writes it (the whole AI parameters kept; stages and embeddings are the caller's). */
export function toStoredImage(image: ImageRecord): StoredImageDocument {
  const { ai: _queryAi, ...document } = toMongoDocument(image)
  const stored: StoredImageDocument = { ...document, updated: image.updatedAt }
  if (image.ai) stored.ai = withoutUndefined(image.ai)
  return stored
}

/** The record of a stored image; `work` is its pixiv work's metadata when a fetch succeeded. */
export function fromStoredImage(doc: StoredImageDocument, work?: PixivWork): ImageRecord {
  const image: ImageRecord = {
    id: doc.id,
    folder: doc.folder,
    path: doc.path,
    filename: doc.filename,
    ext: doc.ext,
    filesize: doc.filesize,
    mtime: doc.mtime,
    hash: doc.hash,
    width: doc.width,
    height: doc.height,
    format: doc.format,
    animated: doc.animated,
    frames: doc.frames,
    type: doc.type,
    textlen: doc.textlen,
    addedAt: doc.added,
    updatedAt: doc.updated,
  }
  for (const key of OPTIONAL_FIELDS) {
    const value = doc[key]
    if (value !== undefined && value !== null) Object.assign(image, { [key]: value })
  }
  if (doc.tags1.length) image.tags1 = [...doc.tags1]
  if (doc.tagList.length) image.tags = Object.fromEntries(doc.tagList.map((tag) => [tag.n, tag.s]))
  if (doc.ai) image.ai = withoutUndefined(doc.ai)
  if (work) image.pixiv = work
  return image
}

/** The metadata of a work document, when a fetch succeeded. */
export function workOf(doc: PixivWorkDocument | null | undefined): PixivWork | undefined {
  if (!doc || doc.metadataAt === undefined) return undefined
  return pixivWork({ ...doc, illustid: doc._id, fetchedAt: doc.metadataAt })
}

/** AI parameters as an image document holds them (absent fields left out). */
export function storedAiParameters(ai: AiParameters): AiParameters {
  return withoutUndefined(ai)
}

function withoutUndefined(ai: AiParameters): AiParameters {
  return Object.fromEntries(Object.entries(ai).filter(([, value]) => value !== undefined && value !== null)) as unknown as AiParameters
}
