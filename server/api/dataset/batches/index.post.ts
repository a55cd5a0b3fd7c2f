import { defineEventHandler, readBody, setResponseStatus } from 'h3'
import { useApp } from '../../../app-context'
import { createBatchSet } from '../../../dataset/batch-sets'
import { batchSetRequestSchema } from '../../../http/dataset-requests'
import { badRequestOrThrow, errorResponse } from '../../../http/error-response'
import { describeInvalid } from '../../../http/search-request'

/** Creates a batch set: 201 with its id. Every matching image is placed; the set is stored. */
export default defineEventHandler(async (event) => {
  const body: unknown = await readBody(event).catch(() => Symbol.for('invalid'))
  if (typeof body === 'symbol') return errorResponse(event, 400, 'the body is not valid JSON')
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return errorResponse(event, 400, 'the body must be a JSON object such as {"batch_size": 64, "validation_split": 10, "test_split": 10, "seed": 42}')
  }
  const parsed = batchSetRequestSchema.safeParse(body)
  if (!parsed.success) return errorResponse(event, 400, describeInvalid(parsed.error, Object.keys(batchSetRequestSchema.shape)))
  try {
    const created = await createBatchSet((await useApp()).store, parsed.data)
    if (!created.ok) return errorResponse(event, created.status, created.message)
    setResponseStatus(event, 201)
    return created.value
  } catch (error) {
    return badRequestOrThrow(event, error)
  }
})
