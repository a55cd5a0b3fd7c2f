import { defineEventHandler } from 'h3'
import { useApp } from '../../../app-context'
import { datasetTag } from '../../../dataset/dataset-images'
import { invalidPath, MAX_TAG_NAME, tagNameFromUrl } from '../../../http/dataset-requests'
import { errorResponse } from '../../../http/error-response'

/** One tag by exact name; names holding `/`, `%`, `?` or `#` come percent-encoded. */
export default defineEventHandler(async (event) => {
  // The raw URL, not the router's parameter: that arrives decoded up to `%2F`, so an encoded `?` or `#` would cut the name short.
  const name = tagNameFromUrl(event.node.req.url ?? '')
  if (name === undefined) return errorResponse(event, 400, 'malformed percent-encoding in the tag name')
  if (!name || name.length > MAX_TAG_NAME) return errorResponse(event, 400, invalidPath.tag())
  const found = await datasetTag((await useApp()).store, name)
  return found.ok ? found.value : errorResponse(event, found.status, found.message)
})
