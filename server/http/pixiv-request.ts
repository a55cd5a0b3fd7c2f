import { z } from 'zod'

/** The body of POST /api/pixiv/fetch (empty: every work without metadata, deleted and restricted ones left alone). */
export const pixivFetchRequestSchema = z.strictObject({
  limit: z.number().int().min(1).max(10_000_000).optional(),
  retryFailed: z.boolean().optional(),
})
