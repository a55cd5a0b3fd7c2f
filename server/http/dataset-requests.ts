import { z } from 'zod'
import type { DatasetSplit } from '../../shared/types/dataset'
import { SPLITS } from '../dataset/batch-plan'
import { seedFromText } from '../dataset/seeded-order'

/** Largest sample, page and batch the dataset routes answer in one response. */
export const MAX_DATASET_PAGE = 500
export const MAX_BATCH_SIZE = 10_000
const MAX_PAGE_NUMBER = 100_000_000

const query = z.string().max(4000, 'q: at most 4000 characters')

/** A seed in a query string is text; digits naming a whole number up to 2^53−1 become that number (so `?seed=42` is seed 42). */
const seedText = z.string().min(1, 'seed: must not be empty').max(200, 'seed: at most 200 characters')
  .transform(seedFromText)

/** `GET /api/dataset/images/random` */
export const randomImagesSchema = z.strictObject({
  count: z.coerce.number().int().min(1).max(MAX_DATASET_PAGE).default(64),
  seed: seedText.optional(),
  q: query.optional(),
})

/** `GET /api/dataset/images` */
export const imagePageSchema = z.strictObject({
  q: query.optional(),
  page: z.coerce.number().int().min(0).max(MAX_PAGE_NUMBER).default(0),
  size: z.coerce.number().int().min(1).max(MAX_DATASET_PAGE).default(64),
})

const percent = (name: string) => {
  const message = `${name}: must be a number from 0 to 100`
  return z.number({ error: message }).min(0, message).max(100, message)
}

const SEED_MESSAGE = 'seed: must be a whole number from 0 to 2^53−1 or a string of 1 to 200 characters'

/** `POST /api/dataset/batches` (JSON body: no coercion, a number must be a JSON number). */
export const batchSetRequestSchema = z.strictObject({
  batch_size: z.number({ error: (issue) => (issue.input === undefined ? 'batch_size: required' : 'batch_size: must be a whole number (a JSON number)') })
    .int('batch_size: must be a whole number').min(1, 'batch_size: must be at least 1').max(MAX_BATCH_SIZE, `batch_size: at most ${MAX_BATCH_SIZE}`),
  validation_split: percent('validation_split').default(0),
  test_split: percent('test_split').default(0),
  seed: z.union([
    z.number().int(SEED_MESSAGE).min(0, SEED_MESSAGE).max(Number.MAX_SAFE_INTEGER, SEED_MESSAGE),
    z.string().min(1, SEED_MESSAGE).max(200, SEED_MESSAGE),
  ], { error: SEED_MESSAGE }).optional(),
  q: query.default(''),
}).refine((body) => body.validation_split + body.test_split <= 100, {
  message: 'validation_split + test_split: must be at most 100 (the rest is train)',
  path: [],
})

/** `:split` of a batch route. */
export function parseSplit(text: string): DatasetSplit | undefined {
  return (SPLITS as readonly string[]).includes(text) ? (text as DatasetSplit) : undefined
}

/** `:n` of a batch route: a whole number ≥ 0. */
export function parseBatchNumber(text: string): number | undefined {
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined
}

/** `:id` of a batch route: 32 lower-case hex digits, as `POST /api/dataset/batches` makes them. */
export function parseBatchSetId(text: string): string | undefined {
  return /^[0-9a-f]{32}$/.test(text) ? text : undefined
}

export const MAX_TAG_NAME = 500

/**
 * The tag name of `/api/dataset/tags/<name>?…` from the raw request URL, percent-decoded exactly
 * once; undefined when the encoding is malformed.
 *
 * @example
 * tagNameFromUrl('/api/dataset/tags/what%3F%23x?x=1') // 'what?#x'
 */
export function tagNameFromUrl(rawUrl: string): string | undefined {
  const path = rawUrl.split('?')[0]!
  const encoded = path.slice(path.indexOf('/tags/') + '/tags/'.length)
  try {
    return decodeURIComponent(encoded)
  } catch {
    return undefined
  }
}

/** Errors for malformed path parameters, one wording for every route. */
export const invalidPath = {
  id: (text: string) => `a batch set id is 32 hex digits, got "${text.slice(0, 100)}"`,
  split: (text: string) => `split must be train, validation or test, got "${text.slice(0, 100)}"`,
  n: (text: string) => `n must be a whole number from 0 (the first batch), got "${text.slice(0, 100)}"`,
  tag: () => `a tag name has 1 to ${MAX_TAG_NAME} characters`,
}
