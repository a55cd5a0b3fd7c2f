import { MilvusClient } from '@zilliz/milvus2-sdk-node'
import type { VectorIndexStats } from '../store'
import type { ServerVectorIndex, VectorFilter, VectorRow, VectorScalars, VectorSearchRequest } from './backends'
import { MILVUS_CHANNEL_OPTIONS, milvusCall } from './milvus-call'
import { searchConsistency } from './milvus-consistency'
import { MILVUS_MATCH_ALL } from './milvus-filter'
import { scalarColumns } from './milvus-scalars'
import {
  collectionNameFor, collectionRequest, DEFAULT_MILVUS_INDEX, hnswIndexParams, isSagasuCollection, modelOfDescription,
  type MilvusIndexSettings,
} from './milvus-schema'

export interface MilvusVectorOptions {
  /** `host:port` of Milvus's gRPC endpoint. */
  address: string
  token?: string
  database?: string
  index?: Partial<MilvusIndexSettings>
  /** Per-call timeout in ms; a call past it fails as Milvus unavailable. */
  timeout?: number
}

/** Milvus's largest `limit` (topk) and `ef`. */
const MAX_TOPK = 16_384
const MAX_EF = 32_768
/** Rows per insert/upsert call: 5,000 × 768 floats stays well under gRPC's 64 MiB message limit. */
const WRITE_BATCH = 5_000
/** Ids per `id in [...]` delete or query. */
const ID_BATCH = 10_000
const INDEX_WAIT_MS = 600_000

interface ModelCollection {
  model: string
  name: string
  dims: number
}

/**
 * Opens the Milvus vector backend: connects, creates the database when one is named, and loads
 * and warms every model collection already there, so the first search does not pay for it.
 *
 * @example
 * const vectors = await openMilvusVectors({ address: '127.0.0.1:19530' })
 */
export async function openMilvusVectors(options: MilvusVectorOptions): Promise<MilvusVectorIndex> {
  const index = new MilvusVectorIndex(options)
  try {
    await index.start()
  } catch (error) {
    await index.close()
    throw error
  }
  return index
}

/**
 * ServerVectorIndex on Milvus: one collection per model (see milvus-schema.ts), HNSW over inner
 * product on L2-normalised vectors, filtered search with a Milvus expression or an id list.
 */
export class MilvusVectorIndex implements ServerVectorIndex {
  readonly address: string
  private readonly client: MilvusClient
  private readonly settings: MilvusIndexSettings
  private readonly database: string | undefined
  private readonly collections = new Map<string, ModelCollection>()
  /** When this process last wrote to each collection (performance.now()), for searchConsistency. */
  private readonly lastWrite = new Map<string, number>()

  constructor(options: MilvusVectorOptions) {
    this.address = options.address
    this.settings = { ...DEFAULT_MILVUS_INDEX, ...options.index }
    this.database = options.database
    this.client = new MilvusClient({
      address: options.address,
      token: options.token,
      database: options.database,
      timeout: options.timeout ?? 60_000,
      logLevel: 'error',
      channelOptions: { ...MILVUS_CHANNEL_OPTIONS },
    })
    // The SDK connects in its constructor; a refused connection surfaces on the first call instead.
    this.client.connectPromise.catch(() => undefined)
  }

  /** Database, then every existing model collection loaded and searched once. */
  async start(): Promise<void> {
    if (this.database && this.database !== 'default') {
      const { db_names } = await this.call('list databases', () => this.client.listDatabases())
      if (!db_names.includes(this.database)) {
        await this.call(`create database ${this.database}`, () => this.client.createDatabase({ db_name: this.database! }))
      }
    }
    for (const collection of await this.discover()) await this.loadAndWarm(collection)
  }

  /** start() (run by openMilvusVectors) loaded and warmed the collections: opening is the warm-up. */
  async warmUp(): Promise<void> {}

  async ensureModel(model: string, dims: number): Promise<void> {
    if (!Number.isInteger(dims) || dims < 1 || dims > 32_768) throw new Error(`model ${model}: dimension ${dims} is not one Milvus takes (1 to 32768)`)
    const known = this.collections.get(model) ?? (await this.describe(model))
    if (known) {
      if (known.dims !== dims) {
        throw new Error(`model ${model} has ${known.dims}-dimensional vectors in Milvus collection ${known.name}, not ${dims}: run sagasu rebuild for the model after changing it`)
      }
      return
    }
    const request = collectionRequest(model, dims)
    try {
      await this.writing(request.collection_name, () => this.call(`create collection ${request.collection_name}`, () => this.client.createCollection(request)))
    } catch (error) {
      // Another process may have created it a moment ago.
      if (!(await this.describe(model))) throw error
    }
    const collection = (await this.describe(model))!
    await this.createIndex(collection)
    await this.loadAndWarm(collection)
  }

  async upsert(model: string, rows: VectorRow[]): Promise<void> {
    if (rows.length === 0) return
    const collection = await this.require(model)
    const columns = scalarColumns()
    for (const row of rows) this.checkRow(collection, row, columns)
    for (let start = 0; start < rows.length; start += WRITE_BATCH) {
      const data = rows.slice(start, start + WRITE_BATCH).map((row) => ({ ...row.scalars, id: row.id, vector: Array.from(row.vector) }))
      // Milvus 2.3's upsert is delete + insert by primary key: a retried batch leaves one row per id.
      await this.writing(collection.name, () => this.call(`upsert into ${collection.name}`, () => this.client.upsert({ collection_name: collection.name, data })))
    }
  }

  async get(model: string, id: number): Promise<Float32Array | undefined> {
    const collection = await this.find(model)
    if (!collection) return undefined
    const { data } = await this.call(`get from ${collection.name}`, () => this.client.query({
      collection_name: collection.name, expr: `id in [${integerId(id)}]`, output_fields: ['vector'],
    }))
    const vector = data[0]?.vector as number[] | undefined
    return vector ? Float32Array.from(vector) : undefined
  }

  async refreshScalars(id: number, scalars: VectorScalars): Promise<void> {
    for (const collection of await this.discover()) {
      const vector = await this.get(collection.model, id)
      if (vector) await this.upsert(collection.model, [{ id, vector, scalars }])
    }
  }

  async remove(ids: number[]): Promise<void> {
    if (ids.length === 0) return
    for (const collection of await this.discover()) {
      for (let start = 0; start < ids.length; start += ID_BATCH) {
        const batch = ids.slice(start, start + ID_BATCH).map(integerId)
        await this.writing(collection.name, () => this.call(`delete from ${collection.name}`, () => this.client.delete({ collection_name: collection.name, ids: batch })))
      }
    }
  }

  async search(request: VectorSearchRequest): Promise<Array<{ id: number; score: number }>> {
    const collection = await this.find(request.model)
    if (!collection) return []
    if (request.vector.length !== collection.dims) {
      throw new Error(`model ${request.model}: the query vector has ${request.vector.length} dimensions, the collection ${collection.dims}`)
    }
    const k = Math.min(Math.max(Math.floor(request.k), 0), MAX_TOPK)
    if (k === 0) return []
    const expr = filterExpr(request.filter)
    if (expr === null) return []
    const ef = Math.min(Math.max(request.ef ?? this.settings.efSearch, k), MAX_EF)
    const { results } = await this.call(`search ${collection.name}`, () => this.client.search({
      collection_name: collection.name,
      vector: Array.from(request.vector),
      limit: k,
      ...(expr === undefined ? {} : { filter: expr }),
      params: { ef },
      output_fields: [],
      // Strong only just after this process wrote to the collection: it waits for Milvus's next time tick.
      consistency_level: searchConsistency(this.lastWrite.get(collection.name), performance.now()),
    }))
    const hits = results.map((hit) => ({ id: Number(hit.id), score: hit.score }))
    // Best first: once a score is below the threshold, every later one is too.
    const minScore = request.minScore
    return minScore === undefined ? hits : hits.filter((hit) => hit.score >= minScore)
  }

  async models(): Promise<string[]> {
    return (await this.discover()).map((collection) => collection.model).sort()
  }

  async stats(): Promise<VectorIndexStats[]> {
    const stats: VectorIndexStats[] = []
    for (const collection of await this.discover()) stats.push(await this.statsOf(collection))
    return stats.sort((a, b) => a.model.localeCompare(b.model))
  }

  async rebuild(model?: string): Promise<VectorIndexStats[]> {
    const targets = model === undefined ? await this.discover() : [await this.require(model)]
    const stats: VectorIndexStats[] = []
    for (const collection of targets) {
      const name = collection.name
      await this.writing(name, async () => {
        await this.call(`flush ${name}`, () => this.client.flushSync({ collection_names: [name] }))
        await this.call(`release ${name}`, () => this.client.releaseCollection({ collection_name: name }))
        await this.call(`drop index of ${name}`, () => this.client.dropIndex({ collection_name: name, field_name: 'vector' }))
        await this.createIndex(collection)
        await this.loadAndWarm(collection)
      })
      stats.push(await this.statsOf(collection))
    }
    return stats
  }

  async close(): Promise<void> {
    this.client.closeConnection()
  }

  private async statsOf(collection: ModelCollection): Promise<VectorIndexStats> {
    const name = collection.name
    const [{ data: vectors }, index, load] = await Promise.all([
      this.call(`count ${name}`, () => this.client.count({ collection_name: name })),
      this.call(`describe index of ${name}`, () => this.client.describeIndex({ collection_name: name, field_name: 'vector' })),
      this.call(`load state of ${name}`, () => this.client.getLoadState({ collection_name: name })),
    ])
    const description = index.index_descriptions[0]
    const pending = Number(description?.pending_index_rows ?? 0)
    // indexed_rows also counts rows deleted since their segment was indexed.
    const indexed = Math.min(Number(description?.indexed_rows ?? 0), vectors)
    const state = load.state === 'LoadStateLoaded' ? (pending > 0 ? 'behind' : 'ready') : load.state === 'LoadStateLoading' ? 'loading' : 'absent'
    return { model: collection.model, dims: collection.dims, vectors, indexed, state, fileBytes: 0, pending }
  }

  private async createIndex(collection: ModelCollection): Promise<void> {
    const name = collection.name
    await this.call(`create index on ${name}`, () => this.client.createIndex({
      collection_name: name, field_name: 'vector', ...hnswIndexParams(this.settings),
    }))
    const deadline = Date.now() + INDEX_WAIT_MS
    for (;;) {
      const { index_descriptions } = await this.call(`describe index of ${name}`, () => this.client.describeIndex({ collection_name: name, field_name: 'vector' }))
      const description = index_descriptions[0]
      if (description?.state === 'Failed') throw new Error(`Milvus could not build the index of ${name}: ${description.index_state_fail_reason}`)
      if (description?.state === 'Finished' && Number(description.pending_index_rows) === 0) return
      if (Date.now() > deadline) throw new Error(`Milvus did not finish the index of ${name} within ${INDEX_WAIT_MS / 1000} s`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }

  /** Loads the collection into memory and runs one search, so the first real one is not the slow one. */
  private async loadAndWarm(collection: ModelCollection): Promise<void> {
    const name = collection.name
    await this.call(`load ${name}`, () => this.client.loadCollectionSync({ collection_name: name }))
    const probe = new Array<number>(collection.dims).fill(0)
    probe[0] = 1
    await this.call(`warm-up search of ${name}`, () => this.client.search({ collection_name: name, vector: probe, limit: 1, params: { ef: 16 }, output_fields: [] }))
  }

  /**
   * Runs a write to a collection and notes when it ended, failed or not: a write whose answer
   * timed out may still be applied, and this process's next searches must see it.
   */
  private async writing<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write()
    } finally {
      this.lastWrite.set(name, performance.now())
    }
  }

  private checkRow(collection: ModelCollection, row: VectorRow, columns: ReturnType<typeof scalarColumns>): void {
    integerId(row.id)
    if (row.vector.length !== collection.dims) {
      throw new Error(`model ${collection.model}: image ${row.id} has a ${row.vector.length}-dimensional vector, the collection ${collection.dims}`)
    }
    for (const { name, kind } of columns) {
      const value = row.scalars[name]
      const ok = kind === 'string' ? typeof value === 'string' : kind === 'bool' ? typeof value === 'boolean' : Number.isSafeInteger(value)
      if (!ok) throw new Error(`image ${row.id}: vector scalar ${name} must be ${kind === 'int' ? 'an integer' : `a ${kind === 'bool' ? 'boolean' : 'string'}`} (see vectorScalarsFor), got ${JSON.stringify(value)}`)
    }
  }

  private async require(model: string): Promise<ModelCollection> {
    const collection = await this.find(model)
    if (!collection) throw new Error(`model ${model} has no Milvus collection yet: ensureModel first`)
    return collection
  }

  private async find(model: string): Promise<ModelCollection | undefined> {
    return this.collections.get(model) ?? (await this.describe(model))
  }

  /** The model's collection as Milvus has it (undefined when absent), remembered once seen. */
  private async describe(model: string): Promise<ModelCollection | undefined> {
    const name = collectionNameFor(model)
    const { value: exists } = await this.call(`look up ${name}`, () => this.client.hasCollection({ collection_name: name }))
    if (!exists) {
      this.collections.delete(model)
      return undefined
    }
    return this.describeByName(name)
  }

  private async describeByName(name: string): Promise<ModelCollection | undefined> {
    const described = await this.call(`describe ${name}`, () => this.client.describeCollection({ collection_name: name }))
    const model = modelOfDescription(described.schema.description)
    const vectorField = described.schema.fields.find((field) => field.name === 'vector')
    const dims = Number(vectorField?.type_params.find((param) => param.key === 'dim')?.value)
    if (model === undefined || !Number.isInteger(dims)) return undefined
    const collection = { model, name, dims }
    this.collections.set(model, collection)
    return collection
  }

  /** Every model collection in the database (other processes may have added some). */
  private async discover(): Promise<ModelCollection[]> {
    const { data } = await this.call('list collections', () => this.client.showCollections())
    const found: ModelCollection[] = []
    for (const { name } of data) {
      if (!isSagasuCollection(name)) continue
      const collection = await this.describeByName(name)
      if (collection) found.push(collection)
    }
    return found
  }

  private call<T extends { status?: { error_code: string | number; reason: string } } | { error_code: string | number; reason: string }>(what: string, call: () => Promise<T>): Promise<T> {
    return milvusCall(this.address, what, call)
  }
}

/**
 * The search filter as a Milvus expression: undefined for none, null for an empty id list (which
 * matches nothing, so no search is needed).
 */
export function filterExpr(filter: VectorFilter | undefined): string | undefined | null {
  if (!filter) return undefined
  if (filter.kind === 'expr') return filter.expr === MILVUS_MATCH_ALL ? undefined : filter.expr
  if (filter.ids.length === 0) return null
  return `id in [${filter.ids.map(integerId).join(',')}]`
}

function integerId(id: number): number {
  if (!Number.isSafeInteger(id)) throw new Error(`image id ${id} is not an integer`)
  return id
}
