// Dataset batches benchmark: time and memory of creating a batch set (read every matching image,
// place and order it, store the members) on a synthetic embedded index of `--count` images (the
// query benchmark's generator, bench/query/dataset.ts), plus a seeded sample and a batch read.
// Usage: npm run bench:dataset -- [--count 100000] [--runs 3] [--rebuild] [--work bench/.work]
// Prints a Markdown section for BENCHMARKS.md. The index is built once and cached under bench/.work/.
import { existsSync, statSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { planBatchSet } from '../server/dataset/batch-plan'
import { batchSetInfo, createBatchSet, fetchBatch } from '../server/dataset/batch-sets'
import { sampleImages } from '../server/dataset/dataset-images'
import { parseSearch } from '../server/search/search-images'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import { cachedDataset, type DatasetInfo } from './query/dataset'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    rebuild: { type: 'boolean', default: false },
    work: { type: 'string', default: join(import.meta.dirname, '.work') },
  },
})
const count = Number(values.count)
const runs = Number(values.runs)
if (!Number.isInteger(count) || count < 1000) throw new Error('--count must be a whole number ≥ 1000')
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number ≥ 1')
const log = (message: string) => process.stderr.write(`${message}\n`)

const dataDir = join(values.work, `dataset-${count}`)
const info: DatasetInfo = await cachedDataset(dataDir, count, log, Boolean(values.rebuild))

const PARAMS = { batch_size: 64, validation_split: 10, test_split: 10, seed: 123_131_231 }
const tag = info.picks.general[3]!
const store = openSqliteStore(dataDir)
const dbFile = join(dataDir, 'sagasu.db')
const dbBytes = () => ['', '-wal'].reduce((sum, suffix) => sum + (existsSync(dbFile + suffix) ? statSync(dbFile + suffix).size : 0), 0)
const live = () => {
  gc()
  const memory = process.memoryUsage()
  return memory.heapUsed + memory.arrayBuffers
}

try {
  const rows: string[][] = []
  const time = async <T>(label: string, what: string, work: () => Promise<T>): Promise<T> => {
    const samples: number[] = []
    let result: T | undefined
    for (let run = 0; run < runs; run++) {
      const t0 = performance.now()
      result = await work()
      samples.push(performance.now() - t0)
    }
    samples.sort((a, b) => a - b)
    rows.push([label, what, `${(samples[Math.floor(samples.length / 2)]! / 1000).toFixed(2)} s`])
    log(`  ${label}: ${samples.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`)
    return result!
  }

  const all = parseSearch('').query
  await time('read keys', `\`matchingImageKeys\`, all ${count.toLocaleString('en-US')} images`, async () => {
    let n = 0
    for await (const chunk of store.matchingImageKeys(all)) n += chunk.length
    if (n !== count) throw new Error(`read ${n} keys of ${count}`)
  })

  const before = live()
  let peak = 0
  const plan = await planBatchSet(
    (async function* () {
      for await (const chunk of store.matchingImageKeys(all)) {
        peak = Math.max(peak, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers)
        yield chunk
      }
    })(),
    PARAMS.seed,
    { validation: PARAMS.validation_split, test: PARAMS.test_split },
  )
  const retained = live() - before
  if (plan.total !== count) throw new Error(`planned ${plan.total} of ${count}`)

  await time('plan', 'place and order every image (no store write)', () => planBatchSet(store.matchingImageKeys(all), PARAMS.seed, { validation: 10, test: 10 }))
  const sizeBefore = dbBytes()
  const ids: string[] = []
  const created = await time('create', '`createBatchSet`: read, place, order, store the members', async () => {
    const outcome = await createBatchSet(store, { ...PARAMS, q: '' })
    if (!outcome.ok) throw new Error(outcome.message)
    ids.push(outcome.value.id)
    return outcome.value.id
  })
  const perSet = (dbBytes() - sizeBefore) / ids.length
  const setInfo = batchSetInfo((await store.getBatchSet(created))!)
  await time('create, with a tag query', `\`q: tags.${tag.name}\` (${tag.count.toLocaleString('en-US')} images)`, async () => {
    const outcome = await createBatchSet(store, { ...PARAMS, q: `tags.${tag.name}` })
    if (!outcome.ok) throw new Error(outcome.message)
  })
  await time('sample', '`GET /api/dataset/images/random?count=64` (all images)', () => sampleImages(store, { count: 64, seed: 1 }))
  const middle = Math.floor(setInfo.train_batches / 2)
  await time('read a batch', `train batch ${middle} (64 images, hydrated)`, async () => {
    const batch = await fetchBatch(store, created, 'train', middle)
    if (!batch.ok || batch.value.count !== 64) throw new Error(`train batch ${middle} is not 64 images`)
  })

  const mib = (bytes: number) => `${(Math.max(0, bytes) / 2 ** 20).toFixed(1)} MiB`
  const cpu = cpus()
  process.stdout.write([
    `Command: \`npm run bench:dataset -- --count ${count} --runs ${runs}\``,
    `Machine: ${cpu.length} cores (${cpu[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, SQLite ${info.sqliteVersion}`,
    `Index: ${count.toLocaleString('en-US')} images (bench/query/dataset.ts, seed ${info.seed}); batch set ${JSON.stringify(PARAMS)}: `
      + `${setInfo.train_images.toLocaleString('en-US')} / ${setInfo.validation_images.toLocaleString('en-US')} / ${setInfo.test_images.toLocaleString('en-US')} images, ${setInfo.total_batches.toLocaleString('en-US')} batches`,
    `Timing: wall time, median of ${runs} runs.`,
    '',
    '| step | what | median |',
    '|---|---|---:|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    `Memory: the plan of ${count.toLocaleString('en-US')} images holds ${mib(retained)} (JS heap + typed arrays, after GC); `
      + `the heap peaked at ${mib(peak)} while reading keys; peak RSS of the process ${mib(process.resourceUsage().maxRSS * 1024)}. `
      + `Each stored set adds ${mib(perSet)} to the database (WAL included).`,
    '',
  ].join('\n'))
} finally {
  await store.close()
}
