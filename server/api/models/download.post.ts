import { defineEventHandler, setResponseStatus } from 'h3'
import { useApp } from '../../app-context'
import { errorResponse } from '../../http/error-response'
import { modelDownloadRequestSchema, readValidatedJson } from '../../http/library-requests'

/** Downloads (and loads once) the configured CLIP or tagger model on this machine; GET /api/settings follows it. */
export default defineEventHandler(async (event) => {
  const body = await readValidatedJson(event, modelDownloadRequestSchema)
  if ('error' in body) return body
  const { downloads } = await useApp()
  if (!downloads.start(body.model)) return errorResponse(event, 409, `the ${body.model} model is already being downloaded`)
  setResponseStatus(event, 202)
  return { started: body.model }
})
