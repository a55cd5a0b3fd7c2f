import { defineEventHandler, setResponseStatus } from 'h3'
import { useApp } from '../../app-context'
import { errorResponse } from '../../http/error-response'
import { refuseUnlessWritable } from '../../http/store-writable'
import { readValidatedJson, retryRequestSchema } from '../../http/library-requests'

/** Clears a file's error record and indexes the file again in the background (GET /api/errors shows the outcome). */
export default defineEventHandler(async (event) => {
  const body = await readValidatedJson(event, retryRequestSchema)
  if ('error' in body) return body
  const { store, library } = await useApp()
  const known = (await store.listErrors(body.folder, body.path)).length > 0
  if (!known) return errorResponse(event, 404, `no error record for "${body.path}" in folder "${body.folder}"`)
  if (!library) return errorResponse(event, 409, 'this server does not import (started with --no-watch or watch.enabled: false); run "sagasu import --retry-errors"')
  const refused = await refuseUnlessWritable(event, store)
  if (refused) return refused
  void library.reindex(body.folder, body.path)
  setResponseStatus(event, 202)
  return { queued: true }
})
