import { defineEventHandler, getRouterParam, setResponseStatus } from 'h3'
import { useApp } from '../../../../app-context'
import { invalidPath, parseBatchSetId } from '../../../../http/dataset-requests'
import { badRequestOrThrow, errorResponse } from '../../../../http/error-response'

/** Forgets a batch set (the images stay): 204, or 404 for an unknown id. */
export default defineEventHandler(async (event) => {
  const text = getRouterParam(event, 'id') ?? ''
  const id = parseBatchSetId(text)
  if (!id) return errorResponse(event, 400, invalidPath.id(text))
  try {
    if (!(await (await useApp()).store.deleteBatchSet(id))) return errorResponse(event, 404, `no batch set with id "${id}"`)
  } catch (error) {
    return badRequestOrThrow(event, error)
  }
  setResponseStatus(event, 204)
  return null
})
