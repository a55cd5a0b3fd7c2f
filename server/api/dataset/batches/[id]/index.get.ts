import { defineEventHandler, getRouterParam } from 'h3'
import { useApp } from '../../../../app-context'
import { batchSetInfo, findBatchSet } from '../../../../dataset/batch-sets'
import { invalidPath, parseBatchSetId } from '../../../../http/dataset-requests'
import { errorResponse } from '../../../../http/error-response'

export default defineEventHandler(async (event) => {
  const text = getRouterParam(event, 'id') ?? ''
  const id = parseBatchSetId(text)
  if (!id) return errorResponse(event, 400, invalidPath.id(text))
  const found = await findBatchSet((await useApp()).store, id)
  return found.ok ? batchSetInfo(found.value) : errorResponse(event, found.status, found.message)
})
