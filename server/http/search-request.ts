import type { H3Event } from 'h3'
import { z } from 'zod'
import type { SearchPage } from '../../shared/types/api'
import { queryImageProblem } from '../../media/image-format'
import { useApp } from '../app-context'
import { MAX_LIMIT, searchImages } from '../search/search-images'
import { badRequestOrThrow, errorResponse, type ErrorBody } from './error-response'

/** The largest query image accepted. */
export const MAX_IMAGE_MIB = 20
const MAX_IMAGE_BASE64 = Math.ceil((MAX_IMAGE_MIB * 2 ** 20) / 3) * 4 + 100

/** The search parameters, the same for GET (query string) and POST (JSON body). */
export const searchRequestSchema = z.strictObject({
  q: z.string().max(4000, 'q: at most 4000 characters').optional(),
  sort: z.string().max(500, 'sort: at most 500 characters').optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(50),
  cursor: z.string().max(2000).optional(),
  /** CLIP text to rank by, like a `clip:` clause. */
  text: z.string().min(1, 'text: empty').max(1000, 'text: at most 1000 characters').optional(),
  /** POST only: an image to rank by, base64 (a data: URL prefix is accepted); multipart uploads arrive here too. */
  image: z.string().max(MAX_IMAGE_BASE64, `image: at most ${MAX_IMAGE_MIB} MiB`).optional(),
})


export type SearchRequestBody = z.infer<typeof searchRequestSchema>

/** The first validation problem as one line naming the parameter. */
export function describeInvalid(error: z.ZodError, known: readonly string[] = Object.keys(searchRequestSchema.shape)): string {
  const issue = error.issues[0]!
  if (issue.code === 'unrecognized_keys') return `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}; known: ${known.join(', ')}`
  const name = issue.path.join('.')
  return name && !issue.message.startsWith(`${name}:`) ? `${name}: ${issue.message}` : issue.message
}

/** Validates search parameters (from a query string or a JSON body) and answers with a page or a 400. */
export async function answerSearch(event: H3Event, input: unknown): Promise<SearchPage | ErrorBody> {
  const parsed = searchRequestSchema.safeParse(input ?? {})
  if (!parsed.success) return errorResponse(event, 400, describeInvalid(parsed.error))
  const { q, sort, limit, cursor, text, image } = parsed.data
  const bytes = image === undefined ? undefined : decodeImage(image)
  if (bytes === null) return errorResponse(event, 400, 'image: not base64 (send the file\'s bytes base64-encoded, or upload it as multipart/form-data)')
  // Checked by the magic bytes before anything decodes them, whether or not CLIP can run.
  const problem = bytes && queryImageProblem(bytes)
  if (problem) return errorResponse(event, 400, problem)
  try {
    const app = await useApp()
    return await searchImages(app.store, { query: q, sort, limit, cursor, ...(text !== undefined ? { text } : {}), ...(bytes ? { image: bytes } : {}) }, app.searchContext)
  } catch (error) {
    return badRequestOrThrow(event, error)
  }
}

/** Base64 (optionally a data: URL) to bytes; null when it is not base64. */
function decodeImage(text: string): Buffer | null {
  const payload = text.startsWith('data:') ? text.slice(text.indexOf(',') + 1) : text
  const compact = payload.replace(/\s+/g, '')
  if (!compact || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) return null
  return Buffer.from(compact, 'base64')
}
