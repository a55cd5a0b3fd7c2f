import { z } from 'zod'
import type { DatasetSplit } from '../../shared/types/dataset'
import { SPLITS } from '../dataset/batch-plan'

/** Largest sample, page and batch the dataset routes answer in one response. */
export const MAX_DATASET_PAGE = 500
export const MAX_BATCH_SIZE = 10_000
const MAX_PAGE_NUMBER = 100_000_000

const query = z.string().max(4000, 'q: at most 4000 characters')

/** A seed in a query string is text; digits naming a whole number up to 2^53−1 become that number (so `?seed=42` is seed 42). */
const seedText = z.string().min(1, 'seed: must not be empty').max(200, 'seed: at most 200 characters')
  .transform((text) => (/^(0|[1-9]\d{0,15})$/.test(text) && Number(text) <= Number.MAX_SAFE_INTEGER ? Number(text) : text))

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

const percent = (name: string) => z.number({ error: `${name}: must be a number from 0 to 100` }).min(0, `${name}: must be from 0 to 100`).max(100, `${name}: must be from 0 to 100`)

/** `POST /api/dataset/batches` (JSON body: no coercion, a number must be a JSON number). */
export const batchSetRequestSchema = z.strictObject({
  batch_size: z.number({ error: 'batch_size: required, a whole number' }).int('batch_size: must be a whole number')
    .min(1, 'batch_size: must be at least 1').max(MAX_BATCH_SIZE, `batch_size: at most ${MAX_BATCH_SIZE}`),
  validation_split: percent('validation_split').default(0),
  test_split: percent('test_split').default(0),
  seed: z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().min(1).max(200)], {
    error: 'seed: must be a whole number from 0 to 2^53−1 or a string of 1 to 200 characters',
  }).optional(),
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
