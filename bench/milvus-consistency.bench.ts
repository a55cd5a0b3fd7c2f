// Vector search latency on the Milvus 2.3 test server (`npm run test:deps`) through MilvusVectorIndex:
// searches of an idle collection (no write by this process for longer than the read-your-writes
// window) and searches right after a one-row upsert by this process, whose first search must see it.
// Usage: npm run bench:milvus [--count 1000] [--searches 50] [--dims 512]
import { parseArgs } from 'node:util'
import { vectorScalarsFor } from '../server/store/servers/milvus-filter'
import { openMilvusVectors } from '../server/store/servers/milvus-vectors'
import { READ_YOUR_WRITES_MS } from '../server/store/servers/milvus-consistency'
import { startMilvus } from '../test/helpers/milvus'
import { clusteredVectors } from '../test/helpers/synthetic-vectors'
import type { ImageRecord } from '../shared/types/image'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    searches: { type: 'string', default: '50' },
    dims: { type: 'string', default: '512' },
  },
})
const count = Number(values.count)
const searches = Number(values.searches)
const dims = Number(values.dims)
for (const [name, value] of Object.entries({ count, searches, dims })) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`)
}
const MODEL = 'clip-latency'
const log = (message: string) => process.stderr.write(`${message}\n`)

function image(id: number): ImageRecord {
  return {
    id, folder: 'art', path: `${id}.png`, filename: `${id}.png`, ext: 'png', filesize: 1000, mtime: 0, hash: id.toString(16),
    width: 1000, height: 1000, format: 'png', animated: false, frames: 1, type: 'other', textlen: 0, addedAt: 0, updatedAt: 0,
  }
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

log('starting Milvus')
const milvus = await startMilvus()
const index = await openMilvusVectors({ address: milvus.address })
try {
  const vectors = clusteredVectors({ count: count + searches, dims, centroids: 20, noise: 0.75, seed: 7 })
  const vectorAt = (n: number) => vectors.slice(n * dims, (n + 1) * dims)
  await index.ensureModel(MODEL, dims)
  await index.upsert(MODEL, Array.from({ length: count }, (_, n) => ({ id: n + 1, vector: vectorAt(n), scalars: vectorScalarsFor(image(n + 1)) })))
  await index.rebuild(MODEL)
  // Past the window after the load and the rebuild, so the idle searches are searches of an idle collection.
  await new Promise((resolve) => setTimeout(resolve, READ_YOUR_WRITES_MS + 1000))

  const idle: number[] = []
  for (let s = 0; s < searches; s++) {
    const started = performance.now()
    await index.search({ model: MODEL, vector: vectorAt(s % count), k: 10 })
    idle.push(performance.now() - started)
  }

  const afterWrite: number[] = []
  let missed = 0
  for (let s = 0; s < searches; s++) {
    const id = count + s + 1
    const vector = vectorAt(count + s)
    await index.upsert(MODEL, [{ id, vector, scalars: vectorScalarsFor(image(id)) }])
    const started = performance.now()
    const hits = await index.search({ model: MODEL, vector, k: 1 })
    afterWrite.push(performance.now() - started)
    if (hits[0]?.id !== id) missed++
  }

  const line = (label: string, samples: number[]) => `${label}: p50 ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms (${samples.length} searches)`
  process.stdout.write(`${count} vectors of ${dims} dimensions, k 10 (k 1 after a write)\n`)
  process.stdout.write(`${line('idle collection', idle)}\n`)
  process.stdout.write(`${line('right after an upsert', afterWrite)}; the upserted row missed by ${missed}\n`)
} finally {
  await index.close()
  await milvus.dispose()
}
