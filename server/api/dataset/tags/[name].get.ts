import { defineEventHandler, getRouterParam } from 'h3'
import { useApp } from '../../../app-context'
import { datasetTag } from '../../../dataset/dataset-images'
import { errorResponse } from '../../../http/error-response'

/** One tag by exact name; names holding `/`, `%` or `?` come percent-encoded. */
export default defineEventHandler(async (event) => {
  const name = getRouterParam(event, 'name', { decode: true }) ?? ''
  const found = await datasetTag((await useApp()).store, name)
  return found.ok ? found.value : errorResponse(event, found.status, found.message)
})
