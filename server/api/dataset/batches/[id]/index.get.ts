import { defineEventHandler, getRouterParam } from 'h3'
import { useApp } from '../../../../app-context'
import { batchSetInfo, findBatchSet } from '../../../../dataset/batch-sets'
import { errorResponse } from '../../../../http/error-response'

export default defineEventHandler(async (event) => {
  const found = await findBatchSet((await useApp()).store, getRouterParam(event, 'id') ?? '')
  return found.ok ? batchSetInfo(found.value) : errorResponse(event, found.status, found.message)
})
