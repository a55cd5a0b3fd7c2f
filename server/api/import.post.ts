import { defineEventHandler, setResponseStatus } from 'h3'
import { useApp } from '../app-context'
import { errorResponse } from '../http/error-response'
import { refuseUnlessWritable } from '../http/store-writable'

/** Starts a full import of every configured folder now; GET /api/jobs (or its event stream) follows it. */
export default defineEventHandler(async (event) => {
  const { library, store } = await useApp()
  if (!library) return errorResponse(event, 409, 'this server does not import (started with --no-watch or watch.enabled: false); run "sagasu import"')
  const refused = await refuseUnlessWritable(event, store)
  if (refused) return refused
  void library.importNow()
  setResponseStatus(event, 202)
  return { started: true }
})
