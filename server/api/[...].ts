import { defineEventHandler } from 'h3'
import { errorResponse } from '../http/error-response'

/** Any /api path or method no route answers: a JSON 404 rather than the web app's HTML. */
export default defineEventHandler((event) => errorResponse(event, 404, `no API route ${event.method} ${event.path.split('?')[0]}; see /openapi.json`))
