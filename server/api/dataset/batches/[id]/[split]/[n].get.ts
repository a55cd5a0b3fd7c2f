import { defineEventHandler, getRouterParam } from 'h3'
import { useApp } from '../../../../../app-context'
import { fetchBatch } from '../../../../../dataset/batch-sets'
import { invalidPath, parseBatchNumber, parseBatchSetId, parseSplit } from '../../../../../http/dataset-requests'
import { errorResponse } from '../../../../../http/error-response'

export default defineEventHandler(async (event) => {
  const [idText, splitText, nText] = ['id', 'split', 'n'].map((name) => getRouterParam(event, name) ?? '') as [string, string, string]
  const id = parseBatchSetId(idText)
  if (!id) return errorResponse(event, 400, invalidPath.id(idText))
  const split = parseSplit(splitText)
  if (!split) return errorResponse(event, 400, invalidPath.split(splitText))
  const n = parseBatchNumber(nText)
  if (n === undefined) return errorResponse(event, 400, invalidPath.n(nText))
  const batch = await fetchBatch((await useApp()).store, id, split, n)
  return batch.ok ? batch.value : errorResponse(event, batch.status, batch.message)
})
