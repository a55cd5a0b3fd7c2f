import { defineEventHandler } from 'h3'
import { useApp } from '../../../app-context'
import { errorResponse } from '../../../http/error-response'
import { sendFile, sniffContentType } from '../../../http/send-file'
import { resolveFolderFile, splitFilesUrl } from '../../../services/file-access'

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
  return sendFile(event, access.absPath, access.info, 'private, max-age=3600', await sniffContentType(access.absPath))
})
