// Both profiles side by side on the same data (issue 6): the embedded store (SQLite, memory index,
// int8 HNSW) and the servers store (MongoDB wire protocol on a real FerretDB, vectors on a real
// Milvus 2.3 test server, both from `npm run test:deps`), loaded through the Store interface with
// the conformance library's images and clustered embeddings. Measures loading, query-language
// searches (first page and total) and filtered vector searches (recall against the embedded
// store's exact answer, latency).
// Usage: npm run bench:profiles -- [--count 5000] [--runs 7] [--dims 256]
// Prints a Markdown section for BENCHMARKS.md.
import { cpus, loadavg, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { parseSearch, searchImages } from '../server/search/search-images'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import { compileMilvusFilter, vectorScalarsFor } from '../server/store/servers/milvus-filter'
import { openMilvusVectors } from '../server/store/servers/milvus-vectors'
import { openServersStore } from '../server/store/servers/open-servers-store'
import type { Store } from '../server/store/store'
import { generateLibrary } from '../test/conformance/library'
import { startFerretDb } from '../test/helpers/ferretdb'
import { tempDir } from '../test/helpers/library'
import { startMilvus } from '../test/helpers/milvus'
import { clusteredVectors } from '../test/helpers/synthetic-vectors'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '7' },
    dims: { type: 'string', default: '256' },
  },
})
const count = Number(values.count)
const runs = Number(values.runs)
const dims = Number(values.dims)
for (const [name, value] of Object.entries({ count, runs, dims })) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`)
}
const MODEL = 'clip-bench'
const K = 10
const VECTOR_QUERIES = 20
/** Images per write while loading (the model stages' chunk size is 32; migrate writes 500). */
const LOAD_BATCH = 100
const NOW = Date.UTC(2024, 0, 31, 12, 0, 0)
const log = (message: string) => process.stderr.write(`${message}\n`)

/** Query-language searches over the conformance library's values: filters of every kind. */
const QUERIES: Array<{ label: string; query: string; sort?: string }> = [
  { label: 'everything, newest first', query: '' },
  { label: 'one tag', query: 'tags.long_hair' },
  { label: 'tag with a score', query: 'tags.smile;>=0.9' },
  { label: 'three tags and a NOT', query: 'tags.1girl, tags.long_hair, !tags.short_hair' },
  { label: 'tag wildcard', query: 'tags.*_hair' },
  { label: 'source type and width', query: 'type;=pixiv, width;>=1920' },
  { label: 'OR of users', query: '(userid;=12345 | userid;=777)' },
  { label: 'OCR text', query: 'm;ありがとう' },
  { label: 'tags1', query: 'mt;frieren' },
  { label: 'AI prompt and sampler', query: 'prompt;masterpiece, sampler;="Euler a"' },
  { label: 'date range', query: 'date;>=2020-01-01, date;<2021-01-01' },
  { label: 'sorted by file size', query: 'tags.long_hair', sort: 'filesize;-1' },
]

/** Filtered vector searches: filters Milvus runs on its scalar fields, and filters it gets as an id list. */
const VECTOR_FILTERS: Array<{ label: string; query: string }> = [
  { label: 'no filter', query: '' },
  { label: 'scalar: type;=pixiv (Milvus expression)', query: 'type;=pixiv' },
  { label: 'scalar: width;>=1920 (Milvus expression)', query: 'width;>=1920' },
  { label: 'tag: tags.long_hair;>=0.9 (id list)', query: 'tags.long_hair;>=0.9' },
  { label: 'tag and type (id list)', query: 'tags.smile, type;=twitter' },
]

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
const ms = (value: number) => `${value.toFixed(1)} ms`

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await run()
  return { value, ms: performance.now() - started }
}

log('starting FerretDB and Milvus')
const [ferret, milvus] = await Promise.all([startFerretDb(), startMilvus()])
const embedded: Store = openSqliteStore(tempDir('sagasu-profiles-'), { memoryIndex: true })
const servers: Store = openServersStore({
  url: ferret.url,
  database: 'sagasu_bench',
  serverSelectionTimeoutMS: 10_000,
  vectors: await openMilvusVectors({ address: milvus.address }),
  vectorFilterFor: compileMilvusFilter,
  vectorScalarsFor,
})
const stores: Array<[string, Store]> = [['embedded', embedded], ['servers', servers]]

try {
  const library = generateLibrary(count)
  const vectors = clusteredVectors({ count, dims, centroids: Math.max(8, Math.round(count / 500)), noise: 0.75, seed: 3 })
  const queryVectors = clusteredVectors({ count: VECTOR_QUERIES, dims, centroids: Math.max(8, Math.round(count / 500)), noise: 0.75, seed: 3, offset: 1 })
  const loadRows: string[][] = []
  for (const [name, store] of stores) {
    log(`loading ${count} images into ${name}`)
    const started = performance.now()
    // In batches, as the import pipeline and its model stages write.
    for (let from = 0; from < count; from += LOAD_BATCH) {
      const batch = library.slice(from, from + LOAD_BATCH)
      const ids = await store.saveImages(batch.map((image) => image.input))
      await store.setTagsMany(batch.flatMap((image, n) => (image.tags.length ? [{ id: ids[n]!, tags: image.tags }] : [])))
      await store.setOcrTexts(batch.flatMap((image, n) => (image.ocr === undefined ? [] : [{ id: ids[n]!, text: image.ocr }])))
      await store.saveEmbeddings(MODEL, ids.map((id, n) => ({ id, vector: vectors.slice((from + n) * dims, (from + n + 1) * dims) })))
    }
    const seconds = (performance.now() - started) / 1000
    const warm = await timed(() => store.warmUp())
    loadRows.push([name, `${Math.round(count / seconds).toLocaleString('en')} images/s (${seconds.toFixed(0)} s)`, ms(warm.ms)])
  }

  log('query-language searches')
  const queryRows: string[][] = []
  for (const q of QUERIES) {
    const cells: string[] = []
    let totals: number[] = []
    for (const [, store] of stores) {
      const times: number[] = []
      let total = 0
      for (let r = 0; r < runs; r++) {
        const { value, ms: took } = await timed(() => searchImages(store, { query: q.query, sort: q.sort ?? '', limit: 50, now: NOW }))
        times.push(took)
        total = value.total
      }
      totals = [...totals, total]
      cells.push(ms(percentile(times, 50)), ms(percentile(times, 95)))
    }
    if (totals[0] !== totals[1]) throw new Error(`${q.label}: the profiles disagree (${totals.join(' vs ')})`)
    queryRows.push([q.label, `\`${q.query || '(empty)'}\`${q.sort ? ` sorted \`${q.sort}\`` : ''}`, totals[0]!.toLocaleString('en'), ...cells])
  }

  log('filtered vector searches')
  const vectorRows: string[][] = []
  for (const filter of VECTOR_FILTERS) {
    const parsed = filter.query ? parseSearch(filter.query, '', NOW).query : undefined
    const matches = parsed ? await embedded.count(parsed) : count
    const times: Record<string, number[]> = { embedded: [], servers: [] }
    let recallSum = 0
    for (let q = 0; q < VECTOR_QUERIES; q++) {
      const request = { model: MODEL, vector: queryVectors.slice(q * dims, (q + 1) * dims), k: K, ...(parsed ? { query: parsed } : {}) }
      const answers: Record<string, number[]> = {}
      for (const [name, store] of stores) {
        const { value, ms: took } = await timed(() => store.nearest(request))
        times[name]!.push(took)
        answers[name] = value.map((hit) => hit.id)
      }
      // The embedded store ranks a subset this small exactly (int8 copy re-ranked in float32): the truth.
      const truth = new Set(answers.embedded)
      recallSum += truth.size ? answers.servers!.filter((id) => truth.has(id)).length / truth.size : 1
    }
    vectorRows.push([
      filter.label, matches.toLocaleString('en'),
      ms(percentile(times.embedded!, 50)), ms(percentile(times.embedded!, 95)),
      ms(percentile(times.servers!, 50)), ms(percentile(times.servers!, 95)), (recallSum / VECTOR_QUERIES).toFixed(3),
    ])
  }

  const table = (head: string[], body: string[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((row) => `| ${row.join(' | ')} |`)].join('\n')
  process.stdout.write([
    `### Both profiles, ${count.toLocaleString('en')} images, ${dims}-dim embeddings`,
    '',
    `Command: \`npm run bench:profiles -- --count ${count} --runs ${runs} --dims ${dims}\`. Machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average at the end ${loadavg()[0]!.toFixed(1)}. Servers: FerretDB v1.24.2 (SQLite backend) and Milvus 2.3.5 (PyPI \`milvus\`), on the same machine.`,
    '',
    table(['profile', `load through the Store in batches of ${LOAD_BATCH} (image, tags, OCR, embedding)`, 'warm-up'], loadRows),
    '',
    `Query-language searches: first page of 50 with the total, ${runs} runs each.`,
    '',
    table(['search', 'query', 'total', 'embedded p50', 'embedded p95', 'servers p50', 'servers p95'], queryRows),
    '',
    `Vector searches, k=${K}, ${VECTOR_QUERIES} queries per filter; recall of the servers profile against the embedded store's answer (exact at these sizes).`,
    '',
    table(['filter', 'matches', 'embedded p50', 'embedded p95', 'servers p50', 'servers p95', 'servers recall@10'], vectorRows),
    '',
  ].join('\n'))
} finally {
  await embedded.close()
  await servers.close()
  await Promise.all([ferret.stop(), milvus.dispose()])
}
