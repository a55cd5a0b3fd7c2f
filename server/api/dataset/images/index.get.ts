import { defineEventHandler, getQuery } from 'h3'
import { useApp } from '../../../app-context'
import { pageImages } from '../../../dataset/dataset-images'
import { imagePageSchema } from '../../../http/dataset-requests'
import { badRequestOrThrow, errorResponse } from '../../../http/error-response'
import { describeInvalid } from '../../../http/search-request'

export default defineEventHandler(async (event) => {
  const parsed = imagePageSchema.safeParse(getQuery(event))
  if (!parsed.success) return errorResponse(event, 400, describeInvalid(parsed.error, Object.keys(imagePageSchema.shape)))
  try {
    return await pageImages((await useApp()).store, parsed.data)
  } catch (error) {
    return badRequestOrThrow(event, error)
  }
})
