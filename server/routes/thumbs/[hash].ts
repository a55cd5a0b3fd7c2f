import { stat } from 'node:fs/promises'
import { defineEventHandler, getRouterParam } from 'h3'
import { thumbnailPath } from '../../../workers/stages/thumbnail.stage'
import { useApp } from '../../app-context'
import { errorResponse } from '../../http/error-response'
import { acceleratedBy, sendFile } from '../../http/send-file'

const THUMBNAIL_CACHE = 'public, max-age=31536000, immutable'

/** Thumbnails by content hash: immutable, so browsers may keep them for a year. */
export default defineEventHandler(async (event) => {
  if (event.method !== 'GET' && event.method !== 'HEAD') return errorResponse(event, 405, 'use GET or HEAD')
  const match = /^([0-9a-f]{16})(?:\.webp)?$/.exec(getRouterParam(event, 'hash') ?? '')
  if (!match) return errorResponse(event, 400, 'a thumbnail is named by a 16-digit hex content hash')
  const path = thumbnailPath((await useApp()).config.dataDir, match[1]!)
  const info = await stat(path).catch(() => undefined)
  if (!info) return errorResponse(event, 404, 'no thumbnail for this hash')
  const hash = match[1]!
  if (acceleratedBy(event, `thumbs/${hash.slice(0, 2)}/${hash}.webp`, 'image/webp', THUMBNAIL_CACHE)) return
  return sendFile(event, path, info, THUMBNAIL_CACHE, 'image/webp')
})
