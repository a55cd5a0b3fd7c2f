import { Meilisearch, MeilisearchRequestError, MeilisearchRequestTimeOutError, type EnqueuedTaskPromise } from 'meilisearch'
import type { TextTarget } from '../../query/ast'
import { StoreUnavailableError } from '../store-unavailable-error'
import type { FullTextDocument, ServerFullText } from './backends'
import { candidatesFromHits, DEFAULT_MAX_TOTAL_HITS, meiliIndexSettings, meiliPartialParams, meiliQuery, meiliSearchParams, toMeiliDocument } from './meili-request'

export interface MeiliTextOptions {
  url: string
  apiKey?: string
  /** Index uid; `sagasu_text` by default. */
  index?: string
  maxTotalHits?: number
  /** How long to wait for one indexing task, ms. */
  taskTimeout?: number
}

/** Documents per addDocuments call: Meilisearch's payload limit is 100 MB by default. */
const WRITE_BATCH = 10_000

/**
 * Opens the Meilisearch full-text backend: creates the index when missing and applies its
 * settings, waiting until Meilisearch has done both.
 *
 * @example
 * const text = await openMeiliText({ url: 'http://127.0.0.1:7700', apiKey: process.env.MEILI_MASTER_KEY })
 */
export async function openMeiliText(options: MeiliTextOptions): Promise<MeiliFullText> {
  const text = new MeiliFullText(options)
  await text.configure()
  return text
}

/** ServerFullText on Meilisearch: one index of the grams of OCR text, prompts and tags1, one document per image. */
export class MeiliFullText implements ServerFullText {
  readonly name = 'Meilisearch'
  private readonly client: Meilisearch
  private readonly uid: string
  private readonly maxTotalHits: number
  private readonly taskTimeout: number

  constructor(private readonly options: MeiliTextOptions) {
    this.client = new Meilisearch({ host: options.url, apiKey: options.apiKey, timeout: 30_000 })
    this.uid = options.index ?? 'sagasu_text'
    this.maxTotalHits = options.maxTotalHits ?? DEFAULT_MAX_TOTAL_HITS
    this.taskTimeout = options.taskTimeout ?? 600_000
  }

  async configure(): Promise<void> {
    await this.wait('create the index', this.client.createIndex(this.uid, { primaryKey: 'id' }), ['index_already_exists'])
    await this.wait('update the index settings', this.client.index(this.uid).updateSettings(meiliIndexSettings(this.maxTotalHits)))
  }

  async upsert(documents: FullTextDocument[]): Promise<void> {
    for (let start = 0; start < documents.length; start += WRITE_BATCH) {
      const batch = documents.slice(start, start + WRITE_BATCH).map(toMeiliDocument)
      await this.wait('add documents', this.client.index(this.uid).addDocuments(batch, { primaryKey: 'id' }))
    }
  }

  async remove(ids: number[]): Promise<void> {
    for (let start = 0; start < ids.length; start += WRITE_BATCH) {
      await this.wait('delete documents', this.client.index(this.uid).deleteDocuments(ids.slice(start, start + WRITE_BATCH)))
    }
  }

  /**
   * Every image whose `target` text may contain `text`: those holding all of its grams, and those
   * whose grams were cut short (meili-grams.ts). A superset of the matches, never fewer.
   */
  async candidates(target: TextTarget, text: string): Promise<Array<{ id: number; score: number }>> {
    const index = this.client.index(this.uid)
    const [matched, partial] = await Promise.all([
      this.request('search', () => index.search(meiliQuery(text), meiliSearchParams(target, this.maxTotalHits))),
      this.request('search', () => index.search('', meiliPartialParams(target, this.maxTotalHits))),
    ])
    const hits = candidatesFromHits(matched.hits)
    const found = new Set(hits.map((hit) => hit.id))
    return [...hits, ...candidatesFromHits(partial.hits).filter((hit) => !found.has(hit.id))]
  }

  async close(): Promise<void> {
    // The client keeps no connection open (it uses fetch per request).
  }

  /** Enqueues, waits for the task, and fails with Meilisearch's reason unless it succeeded (or failed with an accepted code). */
  private async wait(what: string, enqueued: EnqueuedTaskPromise, acceptedCodes: string[] = []): Promise<void> {
    const task = await this.request(what, () => enqueued.waitTask({ timeout: this.taskTimeout }))
    if (task.status === 'succeeded') return
    if (task.status === 'failed' && task.error && acceptedCodes.includes(task.error.code)) return
    throw new Error(`Meilisearch could not ${what} (task ${task.uid} ${task.status}): ${task.error?.message ?? 'no reason given'}`)
  }

  /** A server that cannot be reached becomes a StoreUnavailableError naming Meilisearch; API errors keep Meilisearch's message. */
  private async request<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      if (error instanceof MeilisearchRequestError || error instanceof MeilisearchRequestTimeOutError) {
        throw new StoreUnavailableError('Meilisearch', this.options.url, `${what}: ${error.message}`)
      }
      if (error instanceof Error && !error.message.startsWith('Meilisearch')) {
        throw new Error(`Meilisearch ${what} failed: ${error.message}`, { cause: error })
      }
      throw error
    }
  }
}
