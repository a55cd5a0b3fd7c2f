// Vector index benchmark: `--count` unit vectors of `--dims` shaped like CLIP image embeddings
// (2,000 random unit centroids, each vector a centroid plus Gaussian noise, normalised, mean cosine
// to its centroid ≈ 0.8) and `--queries` queries drawn the same way. Measures the in-memory index as
// the store builds it (usearch int8 HNSW graph, M=32, efConstruction=64, plus the int8 copy):
// build rate, file size, RSS; then searches through the store's planner (vector-index/nearest-planner.ts),
// candidates re-ranked with the float32 vectors read from SQLite as the store does: recall@10 against
// exact search and p50/p95 latency at several efSearch, unfiltered and at 0.1 %, 1 %, 10 % and 50 %
// selectivity; and uniform random vectors (`--uniform`) as a stress figure.
// Usage: npm run bench:vectors -- [--count 1000000] [--queries 1000] [--uniform 300000] [--work bench/.work]
// Prints a Markdown section for BENCHMARKS.md. Generated vectors are cached under bench/.work/.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { exactSearch, MetricKind, type BatchMatches } from 'usearch'
import { EmbeddingQueries } from '../server/store/embedded/embedding-queries'
import { Bitset } from '../server/store/embedded/memory-index/bitset'
import { migrate } from '../server/store/embedded/migrations'
import { estimateIndex } from '../server/store/embedded/vector-index/estimate'
import { scanExact } from '../server/store/embedded/vector-index/exact-scan'
import { HnswIndex, type HnswParameters } from '../server/store/embedded/vector-index/hnsw-index'
import { planNearest, rerankDepth, type InMemoryVectors, type MatchingSet } from '../server/store/embedded/vector-index/nearest-planner'
import { QuantizedVectors } from '../server/store/embedded/vector-index/quantized-vectors'
import { DEFAULT_EXACT_BELOW } from '../config/schema'
import { clusteredVectors, seededRandom, uniformVectors } from '../test/helpers/synthetic-vectors'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    dims: { type: 'string', default: '512' },
    queries: { type: 'string', default: '1000' },
    'filtered-queries': { type: 'string', default: '200' },
    uniform: { type: 'string', default: '300000' },
    'exact-below': { type: 'string', default: String(DEFAULT_EXACT_BELOW) },
    work: { type: 'string', default: join(import.meta.dirname, '.work') },
  },
})
const count = Number(values.count)
const dims = Number(values.dims)
const queryCount = Number(values.queries)
const filteredQueries = Math.min(queryCount, Number(values['filtered-queries']))
const uniformCount = Number(values.uniform)
const exactBelow = Number(values['exact-below'])
for (const [name, value] of Object.entries({ count, dims, queries: queryCount, uniform: uniformCount })) {
  if (!Number.isInteger(value) || value < (name === 'uniform' ? 0 : 1)) throw new Error(`--${name} must be a whole number`)
}
const K = 10
const PARAMS: HnswParameters = { connectivity: 32, expansionAdd: 64, expansionSearch: 256 }
const log = (message: string) => process.stderr.write(`${message}\n`)
const work = join(values.work, `vectors-${count}x${dims}`)
mkdirSync(work, { recursive: true })

/** Cached generated vectors (seeded, so a cache is the same data). */
function cached(name: string, make: () => Float32Array): Float32Array {
  const file = join(work, `${name}.f32`)
  if (existsSync(file)) {
    const bytes = readFileSync(file)
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice()
  }
  const started = Date.now()
  const data = make()
  writeFileSync(file, new Uint8Array(data.buffer))
  log(`generated ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return data
}

const CLUSTER = { dims, centroids: 2000, noise: 0.75, seed: 20240601 }
const data = cached('data', () => clusteredVectors({ ...CLUSTER, count }))
const queries = cached('queries', () => clusteredVectors({ ...CLUSTER, count: queryCount, offset: 1 }))
const query = (q: number) => queries.subarray(q * dims, (q + 1) * dims).slice()

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
const ms = (value: number) => `${value.toFixed(2)} ms`
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`

/** Exact top-10 of every query over `vectors` (native brute force, all cores). */
function groundTruth(vectors: Float32Array, qs: Float32Array): number[][] {
  const found = exactSearch(vectors, qs, dims, K, MetricKind.IP, availableParallelism()) as BatchMatches
  return Array.from({ length: qs.length / dims }, (_x, q) => Array.from(found.keys.subarray(q * K, (q + 1) * K), (key) => Number(key) + 1))
}

function dotAt(vectors: Float32Array, row: number, vector: Float32Array): number {
  let sum = 0
  for (let d = 0; d < dims; d++) sum += vectors[row * dims + d]! * vector[d]!
  return sum
}

function recall(found: number[], truth: number[]): number {
  const wanted = new Set(truth)
  return truth.length ? found.filter((id) => wanted.has(id)).length / truth.length : 1
}

/** Builds the graph and the int8 copy as the store does (batches, all cores); keys are 1-based like image ids. */
function build(vectors: Float32Array, n: number, parameters: HnswParameters): { index: InMemoryVectors; seconds: number } {
  const hnsw = HnswIndex.create(dims, parameters)
  const quantized = new QuantizedVectors(dims, n)
  const started = performance.now()
  const batch = 10_000
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(n, start + batch)
    const keys = Array.from({ length: end - start }, (_x, k) => start + k + 1)
    hnsw.add(keys, vectors.subarray(start * dims, end * dims), availableParallelism())
    quantized.add(keys, vectors.subarray(start * dims, end * dims))
    if ((start / batch) % 10 === 9) log(`  built ${end.toLocaleString('en')} / ${n.toLocaleString('en')} (${Math.round(end / ((performance.now() - started) / 1000))} vectors/s)`)
  }
  return { index: { hnsw, quantized }, seconds: (performance.now() - started) / 1000 }
}

/** The float32 re-ranking as the store runs it: the candidates' rows read from SQLite. */
function rerankFromSqlite(embeddings: EmbeddingQueries, vector: Float32Array) {
  return (list: number[] | undefined) => scanExact(list ? embeddings.ofIds('bench', list) : embeddings.all('bench'), vector, K)
}

function unfilteredRows(file: string, quantized: QuantizedVectors, embeddings: EmbeddingQueries, truth: number[][], label: string): string[][] {
  const rows: string[][] = []
  for (const ef of [32, 64, 128, 256]) {
    const hnsw = HnswIndex.load(file, dims, { ...PARAMS, expansionSearch: ef })
    const times: number[] = []
    const rawTimes: number[] = []
    let sum = 0
    let rawSum = 0
    for (let q = 0; q < truth.length; q++) {
      const vector = query(q)
      let started = performance.now()
      const { hits } = planNearest({ vector, k: K, index: { hnsw, quantized }, exactBelow: 0, scanExact: rerankFromSqlite(embeddings, vector) })
      times.push(performance.now() - started)
      sum += recall(hits.ids, truth[q]!)
      started = performance.now()
      const raw = hnsw.search(vector, K)
      rawTimes.push(performance.now() - started)
      rawSum += recall(raw.ids, truth[q]!)
    }
    rows.push([label, `HNSW efSearch=${ef}, ${rerankDepth(K)} candidates re-ranked (the store)`, (sum / truth.length).toFixed(3), ms(percentile(times, 50)), ms(percentile(times, 95))])
    if (ef === PARAMS.expansionSearch) rows.push([label, `HNSW efSearch=${ef}, int8 scores alone (top 10, no re-ranking)`, (rawSum / truth.length).toFixed(3), ms(percentile(rawTimes, 50)), ms(percentile(rawTimes, 95))])
  }
  return rows
}

const rssBefore = process.memoryUsage().rss
log(`exact ground truth for ${queryCount} queries over ${count.toLocaleString('en')} vectors`)
const truthStarted = performance.now()
const truth = groundTruth(data, queries)
log(`  ${((performance.now() - truthStarted) / 1000).toFixed(1)} s`)

log('building the graph and the int8 copy')
const graphFile = join(work, 'index-i8.usearch')
const quantizedFile = join(work, 'int8.bin')
let { index: built, seconds: buildSeconds } = build(data, count, PARAMS)
const rssBuilt = process.memoryUsage().rss
rmSync(graphFile, { force: true })
built.hnsw.save(graphFile)
built.quantized.save(quantizedFile)
built = undefined as unknown as InMemoryVectors
const fileBytes = statSync(graphFile).size + statSync(quantizedFile).size
const estimate = estimateIndex({ count, dims, connectivity: PARAMS.connectivity })

// Exact search latency, single query, as the store's exact path would run over every vector in memory.
const exactTimes: number[] = []
for (let q = 0; q < Math.min(20, queryCount); q++) {
  const vector = query(q)
  const started = performance.now()
  exactSearch(data, vector, dims, K, MetricKind.IP, 1)
  exactTimes.push(performance.now() - started)
}

// The loaded index's memory: RSS of a fresh load, measured in this process as the growth it causes.
const rssBeforeLoad = process.memoryUsage().rss
const loaded: InMemoryVectors = { hnsw: HnswIndex.load(graphFile, dims, PARAMS), quantized: QuantizedVectors.load(quantizedFile, dims) }
const loadedRss = process.memoryUsage().rss - rssBeforeLoad

// The float32 vectors in SQLite, as the store keeps them: re-ranking and the scan without an index read them.
log('writing the vectors to SQLite')
const dbFile = join(work, 'vectors.db')
const fresh = !existsSync(`${dbFile}.complete`)
if (fresh) rmSync(dbFile, { force: true })
const db = new Database(dbFile)
db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')
db.pragma('mmap_size = 2147483648')
db.pragma('foreign_keys = OFF')
migrate(db)
if (fresh) {
  const insertImage = db.prepare(`INSERT INTO images (id, folder, path, filename, ext, filesize, mtime, hash, width, height, format, animated, frames, type, added_at, updated_at)
    VALUES (?, 'lib', ?, ?, 'png', 1, 1, 'h', 1, 1, 'png', 0, 1, 'other', 0, 0)`)
  const insertVector = db.prepare('INSERT INTO image_embeddings (model, image_id, dims, vector, updated_at) VALUES (?, ?, ?, ?, 0)')
  for (let start = 0; start < count; start += 50_000) {
    db.transaction(() => {
      for (let i = start; i < Math.min(count, start + 50_000); i++) {
        insertImage.run(i + 1, `${i}.png`, `${i}.png`)
        insertVector.run('bench', i + 1, dims, Buffer.from(data.buffer, i * dims * 4, dims * 4))
      }
    })()
  }
  writeFileSync(`${dbFile}.complete`, '')
}
const embeddings = new EmbeddingQueries(db)
const rows = unfilteredRows(graphFile, loaded.quantized, embeddings, truth, 'clustered')
rows.push(['clustered', 'exact (usearch brute force over float32 in memory, 1 thread)', '1.000', ms(percentile(exactTimes, 50)), ms(percentile(exactTimes, 95))])
const filteredRows: string[][] = []
const random = seededRandom(99)
for (const selectivity of [0.001, 0.01, 0.1, 0.5]) {
  // A filter independent of the vectors (as a tag or a date range is).
  const set = Bitset.empty(count + 1)
  for (let id = 1; id <= count; id++) if (random() < selectivity) set.add(id)
  const size = set.count()
  const ids = [...set.ids()]
  const matching: MatchingSet = { size, has: (id) => set.has(id), ids: () => [...set.ids()] }
  // The truth: exact search over the matching vectors in memory.
  const subset = new Float32Array(size * dims)
  ids.forEach((id, n) => subset.set(data.subarray((id - 1) * dims, id * dims), n * dims))
  const used = queries.subarray(0, filteredQueries * dims)
  const subsetTruth = exactSearch(subset, used, dims, Math.min(K, size), MetricKind.IP, availableParallelism()) as BatchMatches
  const truthOf = (q: number) => Array.from(subsetTruth.keys.subarray(q * Math.min(K, size), (q + 1) * Math.min(K, size)), (key) => ids[Number(key)]!)
  const strategies = [
    ['planner (exactBelow ' + exactBelow.toLocaleString('en') + ')', exactBelow, true],
    ['HNSW over-fetch only', 0, true],
    ['int8 copy only', Infinity, true],
    ['float32 scan from SQLite only (no index)', Infinity, false],
  ] as const
  for (const [label, threshold, withIndex] of strategies) {
    // The float32 scan costs ~5 µs per match: a few queries show it, and past 100,000 matches it is skipped.
    if (!withIndex && size > 100_000) continue
    const runs = withIndex ? filteredQueries : Math.min(filteredQueries, 20)
    const times: number[] = []
    let sum = 0
    const plans = new Map<string, number>()
    for (let q = 0; q < runs; q++) {
      const vector = query(q)
      const started = performance.now()
      const { plan, hits } = planNearest({
        vector, k: K, matching, ...(withIndex ? { index: loaded } : {}), exactBelow: threshold,
        scanExact: rerankFromSqlite(embeddings, vector),
      })
      times.push(performance.now() - started)
      sum += recall(hits.ids, truthOf(q))
      plans.set(plan, (plans.get(plan) ?? 0) + 1)
    }
    const planText = [...plans].map(([plan, n]) => `${plan} ${n}`).join(', ')
    filteredRows.push([`${(selectivity * 100).toLocaleString('en')} % (${size.toLocaleString('en')})`, label, planText, (sum / runs).toFixed(3), ms(percentile(times, 50)), ms(percentile(times, 95))])
  }
}
db.close()

// Stress: uniform random vectors (no clusters: the hardest case for a graph).
const stressRows: string[][] = []
let stressBuild = ''
if (uniformCount > 0) {
  log(`uniform stress set of ${uniformCount.toLocaleString('en')}`)
  const uniform = cached(`uniform-${uniformCount}`, () => uniformVectors(uniformCount, dims, 777))
  const uniformQueries = uniformVectors(Math.min(queryCount, 200), dims, 778)
  const uniformTruth = groundTruth(uniform, uniformQueries)
  const { index, seconds } = build(uniform, uniformCount, PARAMS)
  const file = join(work, 'uniform-i8.usearch')
  rmSync(file, { force: true })
  index.hnsw.save(file)
  stressBuild = `${Math.round(uniformCount / seconds).toLocaleString('en')} vectors/s`
  for (const ef of [64, 128, 256, 512]) {
    const searched = HnswIndex.load(file, dims, { ...PARAMS, expansionSearch: ef })
    const times: number[] = []
    let sum = 0
    for (let q = 0; q < uniformTruth.length; q++) {
      const vector = uniformQueries.slice(q * dims, (q + 1) * dims)
      const started = performance.now()
      // Re-ranked with the float32 vectors in memory (this set is not in SQLite).
      const candidates = searched.search(vector, rerankDepth(K)).ids
      const found = candidates.map((id) => ({ id, score: dotAt(uniform, id - 1, vector) })).sort((a, b) => b.score - a.score).slice(0, K)
      times.push(performance.now() - started)
      sum += recall(found.map((hit) => hit.id), uniformTruth[q]!)
    }
    stressRows.push([`efSearch=${ef}`, (sum / uniformTruth.length).toFixed(3), ms(percentile(times, 50)), ms(percentile(times, 95))])
  }
}

const table = (head: string[], body: string[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((row) => `| ${row.join(' | ')} |`)].join('\n')
const out = [
  `### Vector index: ${count.toLocaleString('en')} × ${dims} clustered unit vectors (usearch int8 HNSW, M=32, efConstruction=64, plus the int8 copy)`,
  '',
  `Command: \`npm run bench:vectors -- --count ${count} --queries ${queryCount} --uniform ${uniformCount}\`. Machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average at the end ${loadavg()[0]!.toFixed(1)}.`,
  '',
  table(['measure', 'value'], [
    ['build, graph and int8 copy (all cores, batches of 10,000)', `${Math.round(count / buildSeconds).toLocaleString('en')} vectors/s (${buildSeconds.toFixed(0)} s)`],
    ['index files (graph + int8 copy)', `${mib(fileBytes)} (formula: ${mib(estimate.diskBytes)})`],
    ['index loaded in memory (RSS growth of a load)', `${mib(loadedRss)} (formula: ${mib(estimate.memoryBytes)})`],
    ['process RSS after building (vectors in memory too)', `${mib(rssBuilt)} (${mib(rssBefore)} before)`],
  ]),
  '',
  `Unfiltered, k=10, ${queryCount} queries, one thread per query, through \`planNearest\` (candidates re-ranked with the float32 vectors read from SQLite):`,
  '',
  table(['data', 'search', 'recall@10', 'p50', 'p95'], rows),
  '',
  `Filtered, k=10, efSearch=${PARAMS.expansionSearch}, ${filteredQueries} queries, through \`planNearest\` (index in memory, candidates re-ranked with the float32 vectors read from SQLite); recall against exact search over the matching vectors:`,
  '',
  table(['selectivity (matches)', 'strategy', 'plans taken', 'recall@10', 'p50', 'p95'], filteredRows),
  ...(stressRows.length ? ['', `Stress: ${uniformCount.toLocaleString('en')} uniform random unit vectors, build ${stressBuild}:`, '', table(['search', 'recall@10', 'p50', 'p95'], stressRows)] : []),
]
process.stdout.write(`${out.join('\n')}\n`)
