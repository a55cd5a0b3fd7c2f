import { defineEventHandler, readBody, setResponseStatus } from 'h3'
import { useApp } from '../../app-context'
import { errorResponse } from '../../http/error-response'
import { refuseUnlessWritable } from '../../http/store-writable'
import { pixivFetchRequestSchema } from '../../http/pixiv-request'
import { describeInvalid } from '../../http/search-request'

/** Starts a background run fetching pixiv metadata (one at a time); GET /api/pixiv/status follows it. */
export default defineEventHandler(async (event) => {
  const body: unknown = await readBody(event).catch(() => Symbol.for('invalid'))
  if (typeof body === 'symbol') return errorResponse(event, 400, 'the body is not valid JSON')
  const parsed = pixivFetchRequestSchema.safeParse(body ?? {})
  if (!parsed.success) return errorResponse(event, 400, describeInvalid(parsed.error, Object.keys(pixivFetchRequestSchema.shape)))
  const { pixiv, store } = await useApp()
  const refused = await refuseUnlessWritable(event, store)
  if (refused) return refused
  if (!pixiv.start(parsed.data)) return errorResponse(event, 409, 'a pixiv fetch is already running; follow it at GET /api/pixiv/status')
  setResponseStatus(event, 202)
  return pixiv.status()
})
