import { readBody, type H3Event } from 'h3'
import { z } from 'zod'
import { folderSchema, noControl } from '../../config/schema'
import type { EditableSettings } from '../../shared/types/settings'
import { errorResponse, type ErrorBody } from './error-response'
import { describeInvalid } from './search-request'

/** POST /api/errors/retry: the file whose error record to clear and index again. */
export const retryRequestSchema = z.strictObject({
  folder: z.string().min(1, 'must not be empty').max(64),
  path: z.string().min(1, 'must not be empty').max(4096),
})

/** POST /api/folders: a folder to add to the configuration (the schema of a `folders` entry). */
export const addFolderRequestSchema = folderSchema

/** POST /api/models/download: which model to fetch. */
export const modelDownloadRequestSchema = z.strictObject({
  model: z.enum(['clip', 'tagger']),
})

const modelSettings = {
  enabled: z.boolean(),
  name: z.string().min(1, 'must not be empty').max(200).regex(...noControl),
  path: z.string().min(1, 'must not be empty').max(4096).regex(...noControl).optional(),
}

/** PUT /api/settings: every editable setting at once (GET /api/settings gives the current ones). */
export const settingsRequestSchema = z.strictObject({
  folders: z.array(folderSchema.extend({ recursive: z.boolean() })).max(1000),
  models: z.strictObject({
    clip: z.strictObject(modelSettings),
    tagger: z.strictObject({ ...modelSettings, layout: z.enum(['auto', 'wd14', 'deepdanbooru']) }),
    ocr: z.strictObject({ enabled: z.boolean() }),
  }),
  thresholds: z.strictObject({
    general: z.number().min(0).max(1),
    character: z.number().min(0).max(1),
  }),
}) satisfies z.ZodType<EditableSettings>

/**
 * The JSON body validated against a schema, or the 400 answer naming what is wrong.
 *
 * @example
 * const body = await readValidatedJson(event, retryRequestSchema)
 * if ('error' in body) return body
 */
export async function readValidatedJson<S extends z.ZodObject>(event: H3Event, schema: S): Promise<z.output<S> | ErrorBody> {
  const body: unknown = await readBody(event).catch(() => Symbol.for('invalid'))
  if (typeof body === 'symbol') return errorResponse(event, 400, 'the body is not valid JSON')
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return errorResponse(event, 400, 'the body must be a JSON object')
  const parsed = schema.safeParse(body)
  if (!parsed.success) return errorResponse(event, 400, describeBodyIssue(parsed.error, Object.keys(schema.shape)))
  return parsed.data
}

/** The first problem as one line naming the key (`models.clip.name: …`, `thresholds: unknown key "x"`). */
export function describeBodyIssue(error: z.ZodError, known: readonly string[]): string {
  const issue = error.issues[0]!
  if (issue.code === 'unrecognized_keys' && issue.path.length) {
    return `${issue.path.join('.')}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${issue.path.join('.')}: required`
  return describeInvalid(error, known)
}
