import { defineEventHandler, getRouterParam } from 'h3'
import { useApp } from '../../../app-context'
import { errorResponse } from '../../../http/error-response'
import { sendFile } from '../../../http/send-file'
import { resolveFolderFile } from '../../../services/file-access'

/** Originals, straight from the configured folders. */
export default defineEventHandler(async (event) => {
  if (event.method !== 'GET' && event.method !== 'HEAD') return errorResponse(event, 405, 'use GET or HEAD')
  const { config } = await useApp()
  // Raw (still percent-encoded) parameters: resolveFolderFile decodes exactly once.
  const access = await resolveFolderFile(config.folders, getRouterParam(event, 'folder') ?? '', getRouterParam(event, 'path') ?? '')
  if (!access.ok) return errorResponse(event, access.status, access.message)
  return sendFile(event, access.absPath, access.info, 'private, max-age=3600')
})
