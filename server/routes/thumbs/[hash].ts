import { join } from 'node:path'
import { defineEventHandler, getRouterParam } from 'h3'
import { openContained, type ContainedOpen } from '../../../media/contained-file'
import { useApp } from '../../app-context'
import { StoreUnavailableError } from '../../store/store-unavailable-error'
import { errorResponse } from '../../http/error-response'
import { acceleratedBy, sendFile } from '../../http/send-file'

const THUMBNAIL_CACHE = 'public, max-age=31536000, immutable'

/**
 * Thumbnails by content hash: immutable, so browsers may keep them for a year. A thumbnail missing
 * from the cache for a hash the index knows is made again from the original, then sent.
 */
export default defineEventHandler(async (event) => {
  if (event.method !== 'GET' && event.method !== 'HEAD') return errorResponse(event, 405, 'use GET or HEAD')
  const match = /^([0-9a-f]{16})(?:\.webp)?$/.exec(getRouterParam(event, 'hash') ?? '')
  if (!match) return errorResponse(event, 400, 'a thumbnail is named by a 16-digit hex content hash')
  const hash = match[1]!
  const app = await useApp()
  const cache = join(app.config.dataDir, 'thumbs')
  const relPath = `${hash.slice(0, 2)}/${hash}.webp`
  let opened: ContainedOpen = await openContained(cache, relPath)
  if (!opened.ok && opened.reason === 'missing') {
    let remade: boolean
    try {
      remade = await app.recreateThumbnail(hash)
    } catch (error) {
      if (error instanceof StoreUnavailableError) return errorResponse(event, 503, error.message)
      return errorResponse(event, 404, `no thumbnail for this hash, and making it again failed: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (!remade) return errorResponse(event, 404, 'no thumbnail for this hash')
    opened = await openContained(cache, relPath)
  }
  if (!opened.ok) return errorResponse(event, 404, 'no thumbnail for this hash')
  if (acceleratedBy(event, `thumbs/${relPath}`, 'image/webp', THUMBNAIL_CACHE)) {
    await opened.file.handle.close().catch(() => undefined)
    return
  }
  return sendFile(event, opened.file, THUMBNAIL_CACHE, 'image/webp')
})
