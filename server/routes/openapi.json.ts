import { defineEventHandler } from 'h3'
import { readOnlyMethodProblem } from '../http/read-only-route'
import { openApiDocument } from '../openapi/openapi-document'
import { SAGASU_VERSION } from '../version'

let document: ReturnType<typeof openApiDocument> | undefined

/** The OpenAPI 3.1 description of every route (built once; it only changes with the code). */
export default defineEventHandler((event) => {
  const refused = readOnlyMethodProblem(event)
  if (refused) return refused
  document ??= openApiDocument(SAGASU_VERSION)
  return document
})
