import { defineEventHandler } from 'h3'
import { useApp } from '../../../app-context'
import { errorResponse } from '../../../http/error-response'
import { acceleratedBy, sendFile, sniffContentType } from '../../../http/send-file'
import { resolveFolderFile, splitFilesUrl } from '../../../services/file-access'

const ORIGINAL_CACHE = 'private, max-age=3600'

/** Originals, straight from the configured folders. */
export default defineEventHandler(async (event) => {
  if (event.method !== 'GET' && event.method !== 'HEAD') return errorResponse(event, 405, 'use GET or HEAD')
  // The raw request URL, not the router's parameters: those arrive already decoded, so an
  // encoded `?` or `#` in a file name would cut it short, and decoding twice is how traversal slips in.
  const parts = splitFilesUrl(event.node.req.url ?? '')
  if (!parts) return errorResponse(event, 400, 'expected /files/<folder>/<path>')
  const { config } = await useApp()
  const access = await resolveFolderFile(config.folders, parts.folder, parts.path)
  if (!access.ok) return errorResponse(event, access.status, access.message)
  const { file } = access
  let contentType: string
  try {
    contentType = await sniffContentType(file.handle, file.realPath)
  } catch (error) {
    await file.handle.close().catch(() => undefined)
    return errorResponse(event, 403, `the file cannot be read: ${error instanceof Error ? error.message : String(error)}`)
  }
  // Behind `sagasu nginx-conf`, nginx sends the file. It is named by the real path that was checked,
  // without links, and nginx refuses links below the folder (disable_symlinks), so a link swapped
  // in after this check is not followed there either.
  const internal = `files/${encodeURIComponent(parts.folder)}/${file.realRelPath.split('/').map(encodeURIComponent).join('/')}`
  if (acceleratedBy(event, internal, contentType, ORIGINAL_CACHE)) {
    await file.handle.close().catch(() => undefined)
    return
  }
  return sendFile(event, file, ORIGINAL_CACHE, contentType)
})
