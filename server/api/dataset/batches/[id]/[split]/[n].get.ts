import { defineEventHandler, getRouterParam } from 'h3'
import { useApp } from '../../../../../app-context'
import { fetchBatch } from '../../../../../dataset/batch-sets'
import { parseBatchNumber, parseSplit } from '../../../../../http/dataset-requests'
import { errorResponse } from '../../../../../http/error-response'

export default defineEventHandler(async (event) => {
  const splitText = getRouterParam(event, 'split') ?? ''
  const nText = getRouterParam(event, 'n') ?? ''
  const split = parseSplit(splitText)
  if (!split) return errorResponse(event, 400, `split must be train, validation or test, got "${splitText}"`)
  const n = parseBatchNumber(nText)
  if (n === undefined) return errorResponse(event, 400, `n must be a whole number from 0 (the first batch), got "${nText}"`)
  const batch = await fetchBatch((await useApp()).store, getRouterParam(event, 'id') ?? '', split, n)
  return batch.ok ? batch.value : errorResponse(event, batch.status, batch.message)
})
