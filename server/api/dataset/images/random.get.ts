import { defineEventHandler, getQuery } from 'h3'
import { useApp } from '../../../app-context'
import { sampleImages } from '../../../dataset/dataset-images'
import { randomImagesSchema } from '../../../http/dataset-requests'
import { badRequestOrThrow, errorResponse } from '../../../http/error-response'
import { describeInvalid } from '../../../http/search-request'

export default defineEventHandler(async (event) => {
  const parsed = randomImagesSchema.safeParse(getQuery(event))
  if (!parsed.success) return errorResponse(event, 400, describeInvalid(parsed.error, Object.keys(randomImagesSchema.shape)))
  try {
    return await sampleImages((await useApp()).store, parsed.data)
  } catch (error) {
    return badRequestOrThrow(event, error)
  }
})
