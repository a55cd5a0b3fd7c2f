import { createServer, type IncomingMessage, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../../test/helpers/server'
import { StoreUnavailableError } from '../store-unavailable-error'
import { gramWord, textGrams } from './meili-grams'
import { candidatesFromHits, meiliIndexSettings, meiliPartialParams, meiliQuery, meiliSearchParams, toMeiliDocument } from './meili-request'
import { MeiliFullText, openMeiliText } from './meili-text'

/**
 * Meilisearch cannot be installed where these tests run: the client is driven against a local
 * HTTP server that answers with Meilisearch's documented response shapes (reference/api: tasks,
 * documents, settings, search), and records what the client sends.
 */
const ENQUEUED_AT = '2021-08-11T09:25:53.000000Z'

interface Recorded { method: string; path: string; body: unknown; auth: string | undefined }

class RecordedMeilisearch {
  readonly requests: Recorded[] = []
  /** Search hits to answer with, and the status/error of the next tasks. */
  hits: Array<Record<string, unknown>> = []
  /** Hits of the search for images whose grams were cut short. */
  partialHits: Array<Record<string, unknown>> = []
  taskError: { code: string; message: string } | undefined
  private nextUid = 0
  private readonly tasks = new Map<number, { type: string; indexUid: string }>()
  server!: Server
  url = ''

  async start(): Promise<void> {
    const port = await freePort()
    this.server = createServer((request, response) => void this.answer(request).then(([status, body]) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(body))
    }))
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${port}`
  }

  private async answer(request: IncomingMessage): Promise<[number, unknown]> {
    let raw = ''
    for await (const chunk of request) raw += chunk
    const path = request.url ?? ''
    this.requests.push({ method: request.method ?? '', path, body: raw ? JSON.parse(raw) : undefined, auth: request.headers.authorization })
    const task = path.match(/^\/tasks\/(\d+)/)
    if (task) {
      const uid = Number(task[1])
      const known = this.tasks.get(uid)!
      const failed = this.taskError
      return [200, {
        uid, batchUid: uid, indexUid: known.indexUid, status: failed ? 'failed' : 'succeeded', type: known.type, canceledBy: null,
        details: null, error: failed ? { ...failed, type: 'invalid_request', link: `https://docs.meilisearch.com/errors#${failed.code}` } : null,
        duration: 'PT1S', enqueuedAt: ENQUEUED_AT, startedAt: '2021-08-11T09:25:54.000000Z', finishedAt: '2021-08-11T09:25:55.000000Z',
      }]
    }
    if (path.endsWith('/search')) {
      const body = JSON.parse(raw) as { q: string; limit: number; filter?: string }
      const hits = body.filter ? this.partialHits : this.hits
      return [200, { hits, query: body.q, processingTimeMs: 1, limit: body.limit, offset: 0, estimatedTotalHits: hits.length }]
    }
    const type = path === '/indexes' ? 'indexCreation'
      : path.endsWith('/settings') ? 'settingsUpdate'
        : path.endsWith('/documents/delete-batch') ? 'documentDeletion'
          : 'documentAdditionOrUpdate'
    const indexUid = path === '/indexes' ? (JSON.parse(raw) as { uid: string }).uid : path.split('/')[2]!
    const uid = this.nextUid++
    this.tasks.set(uid, { type, indexUid })
    return [202, { taskUid: uid, indexUid, status: 'enqueued', type, enqueuedAt: ENQUEUED_AT }]
  }
}

describe('Meilisearch request shapes', () => {
  it('makes the four gram attributes searchable, id and partial filterable, typos off, and lifts the 1,000-hit cap', () => {
    expect(meiliIndexSettings()).toEqual({
      searchableAttributes: ['ocr', 'prompt', 'negative', 'tags1'],
      filterableAttributes: ['id', 'partial'],
      rankingRules: ['words', 'attribute', 'exactness'],
      typoTolerance: { enabled: false },
      proximityPrecision: 'byAttribute',
      pagination: { maxTotalHits: 1_000_000 },
    })
  })

  it('sends each text as its gram words and leaves absent texts out of a document', () => {
    expect(toMeiliDocument({ id: 3, ocr: '', prompt: 'a girl', tags1: ['x', ''] })).toEqual({
      id: 3, prompt: textGrams(['a girl']).words, tags1: gramWord('x'),
    })
  })

  it('marks a text with more grams than Meilisearch indexes as partial', () => {
    const long = Array.from({ length: 30_000 }, (_, i) => String.fromCharCode(0x4e00 + i)).join('')
    const document = toMeiliDocument({ id: 4, ocr: long, prompt: 'short', tags1: [] })
    expect(document.partial).toEqual(['ocr'])
    expect(document.ocr!.split(' ')).toHaveLength(60_000)
  })

  it('searches one attribute for the term\'s grams, all required, ids and scores only', () => {
    expect(meiliSearchParams('negative', 5000)).toEqual({
      attributesToSearchOn: ['negative'], attributesToRetrieve: ['id'], matchingStrategy: 'all', showRankingScore: true, limit: 5000,
    })
    expect(meiliQuery('Hair')).toBe([gramWord('hai'), gramWord('air')].join(' '))
    expect(meiliPartialParams('ocr', 10)).toEqual({ filter: 'partial = ocr', attributesToRetrieve: ['id'], showRankingScore: true, limit: 10 })
  })

  it('reads ids and ranking scores from hits and refuses hits without them', () => {
    expect(candidatesFromHits([{ id: 155, _rankingScore: 0.9546 }, { id: 36657, _rankingScore: 0.8103 }])).toEqual([
      { id: 155, score: 0.9546 }, { id: 36657, score: 0.8103 },
    ])
    expect(() => candidatesFromHits([{ id: '155', _rankingScore: 1 }])).toThrow('without an integer id')
    expect(() => candidatesFromHits([{ id: 1 }])).toThrow('_rankingScore')
  })
})

describe('Meilisearch client against recorded responses', () => {
  const meili = new RecordedMeilisearch()
  let text: MeiliFullText

  beforeAll(async () => {
    await meili.start()
    text = await openMeiliText({ url: meili.url, apiKey: 'master-key', index: 'test_text' })
  })

  afterAll(() => new Promise<void>((resolve) => meili.server.close(() => resolve())))

  it('creates the index, applies the settings, and waits for both tasks', () => {
    const writes = meili.requests.filter((request) => request.method !== 'GET')
    expect(writes.map(({ method, path }) => `${method} ${path}`)).toEqual(['POST /indexes', 'PATCH /indexes/test_text/settings'])
    expect(writes[0]!.body).toEqual({ uid: 'test_text', primaryKey: 'id' })
    expect(writes[1]!.body).toEqual(meiliIndexSettings())
    expect(meili.requests.filter((request) => request.path.startsWith('/tasks/')).map((request) => request.path)).toEqual(['/tasks/0', '/tasks/1'])
    expect(meili.requests.every((request) => request.auth === 'Bearer master-key')).toBe(true)
  })

  it('adds and deletes documents, waiting for each task', async () => {
    meili.requests.length = 0
    await text.upsert([{ id: 1, ocr: 'hello world', tags1: [] }, { id: 2, prompt: 'girl', negative: 'bad hands', tags1: ['a', 'b'] }])
    await text.remove([1])
    expect(meili.requests.map(({ method, path }) => `${method} ${path.replace(/\?.*/, '')}`)).toEqual([
      'POST /indexes/test_text/documents', 'GET /tasks/2', 'POST /indexes/test_text/documents/delete-batch', 'GET /tasks/3',
    ])
    expect(meili.requests[0]!.body).toEqual([
      { id: 1, ocr: textGrams(['hello world']).words },
      { id: 2, prompt: textGrams(['girl']).words, negative: textGrams(['bad hands']).words, tags1: textGrams(['a', 'b']).words },
    ])
    expect(meili.requests[2]!.body).toEqual([1])
  })

  it('answers candidates from the gram search and the images whose grams were cut short', async () => {
    meili.requests.length = 0
    meili.hits = [{ id: 155, _rankingScore: 0.9546 }, { id: 36657, _rankingScore: 0.8103 }]
    meili.partialHits = [{ id: 36657, _rankingScore: 1 }, { id: 7, _rankingScore: 1 }]
    expect(await text.candidates('ocr', 'dark knight')).toEqual([{ id: 155, score: 0.9546 }, { id: 36657, score: 0.8103 }, { id: 7, score: 1 }])
    const bodies = meili.requests.map((request) => request.body)
    expect(meili.requests.every((request) => request.path === '/indexes/test_text/search')).toBe(true)
    expect(bodies).toContainEqual({ q: meiliQuery('dark knight'), ...meiliSearchParams('ocr') })
    expect(bodies).toContainEqual({ q: '', ...meiliPartialParams('ocr') })
    meili.partialHits = []
  })

  it('fails with Meilisearch\'s reason when a task fails', async () => {
    meili.taskError = { code: 'invalid_document_id', message: 'Document identifier `x` is invalid.' }
    await expect(text.upsert([{ id: 9, tags1: [] }])).rejects.toThrow('Meilisearch could not add documents (task 4 failed): Document identifier `x` is invalid.')
    meili.taskError = undefined
  })

  it('names Meilisearch and its address when the server cannot be reached', async () => {
    const down = new MeiliFullText({ url: `http://127.0.0.1:${await freePort()}` })
    const failure = await down.candidates('ocr', 'x').then(() => undefined, (error: unknown) => error)
    expect(failure).toBeInstanceOf(StoreUnavailableError)
    expect((failure as Error).message).toMatch(/^Meilisearch at http:\/\/127\.0\.0\.1:\d+ is unavailable: search/)
  })
})

const MEILI_URL = process.env.MEILI_URL
if (!MEILI_URL) {
  process.stderr.write('Meilisearch server suite skipped: set MEILI_URL (and MEILI_MASTER_KEY) to a running Meilisearch to run it\n')
}

describe.skipIf(!MEILI_URL)('Meilisearch backend against a real server (MEILI_URL)', () => {
  let text: MeiliFullText
  const index = `sagasu_test_${process.pid}`

  beforeAll(async () => {
    text = await openMeiliText({ url: MEILI_URL!, apiKey: process.env.MEILI_MASTER_KEY, index })
  }, 120_000)

  it('finds substrings inside words, in the target attribute only, with scores', async () => {
    await text.upsert([
      { id: 10, ocr: 'long hair', tags1: [] },
      { id: 11, ocr: 'ありがとうございます', tags1: ['オリジナル'] },
      { id: 12, ocr: 'airplane', tags1: [] },
    ])
    expect((await text.candidates('ocr', 'air')).map((hit) => hit.id).sort()).toEqual([10, 12])
    expect((await text.candidates('ocr', 'AIR')).map((hit) => hit.id).sort()).toEqual([10, 12])
    expect((await text.candidates('ocr', 'がとう')).map((hit) => hit.id)).toEqual([11])
    expect((await text.candidates('tags1', 'ジナ')).map((hit) => hit.id)).toEqual([11])
    expect((await text.candidates('ocr', 'g h')).map((hit) => hit.id)).toEqual([10])
    await text.remove([10, 11, 12])
  }, 120_000)

  it('finds documents by word in the target attribute only, with scores', async () => {
    await text.upsert([
      { id: 1, ocr: 'the dark knight returns', tags1: [] },
      { id: 2, prompt: 'a dark forest', tags1: ['forest'] },
      { id: 3, ocr: 'sunny day', negative: 'dark', tags1: [] },
    ])
    expect((await text.candidates('ocr', 'dark')).map((hit) => hit.id)).toEqual([1])
    expect((await text.candidates('prompt', 'dark forest')).map((hit) => hit.id)).toEqual([2])
    expect((await text.candidates('negative', 'dark')).map((hit) => hit.id)).toEqual([3])
    expect((await text.candidates('tags1', 'forest')).map((hit) => hit.id)).toEqual([2])
    const [hit] = await text.candidates('ocr', 'knight')
    expect(hit!.score).toBeGreaterThan(0)
    await text.remove([1])
    expect(await text.candidates('ocr', 'dark')).toEqual([])
  }, 120_000)

  it('returns more than 1,000 hits', async () => {
    await text.upsert(Array.from({ length: 1500 }, (_, i) => ({ id: 100 + i, ocr: `common word ${i}`, tags1: [] })))
    expect((await text.candidates('ocr', 'common')).length).toBe(1500)
  }, 120_000)
})
