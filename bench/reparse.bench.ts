// Re-parse benchmark: `sagasu reparse` (workers/reparse.ts) over an embedded index of `--count`
// records whose stored fields predate issue 14 (every name `other`), then again with nothing to
// change; plus parseFilename alone over the same paths. No image file exists: none is read.
// Usage: npm run bench:reparse -- [--count 100000]
// Prints a Markdown table for BENCHMARKS.md.
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { configSchema } from '../config/schema'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import type { ImageInput } from '../shared/types/image'
import { reparseSources } from '../workers/reparse'
import { parseFilename } from '../workers/stages/parse-filename.stage'

const { values } = parseArgs({ options: { count: { type: 'string', default: '100000' } } })
const count = Number(values.count)
if (!Number.isInteger(count) || count < 1000) throw new Error('--count must be a whole number ≥ 1000')

/** A quarter each: PixivBatchDownloader, gallery-dl twitter, yande.re, names no layout claims. */
function pathOf(n: number): string {
  switch (n % 4) {
    case 0: return `pixiv/しずく-${1_000_000 + (n % 500)}/${90_000_000 + n}_p${n % 4}-夏.png`
    case 1: return `gallery-dl/twitter/ab_${n % 300}/${1_657_890_123_456_789_012n + BigInt(n)}_${1 + (n % 4)}.png`
    case 2: return `yande.re ${1_000_000 + n} long_hair seifuku.jpg`
    default: return `misc/IMG_${n}.png`
  }
}

const paths = Array.from({ length: count }, (_, n) => pathOf(n))
let start = performance.now()
for (const path of paths) parseFilename(path)
const parseMs = performance.now() - start

const dir = mkdtempSync(join(tmpdir(), 'sagasu-reparse-bench-'))
try {
  const store = openSqliteStore(dir)
  const inputs: ImageInput[] = paths.map((path, n) => ({
    folder: 'lib', path, filename: path.split('/').pop()!, ext: 'png', filesize: 1000 + n, mtime: 1, hash: n.toString(16).padStart(16, '0'),
    width: 10, height: 10, format: 'png', animated: false, frames: 1, type: 'other',
  }))
  for (let from = 0; from < inputs.length; from += 1000) await store.saveImages(inputs.slice(from, from + 1000))
  const config = configSchema.parse({ dataDir: dir, folders: [{ name: 'lib', path: join(dir, 'no-such-folder') }] })
  const ctx = { config, store, worker: 'bench/1', log: () => undefined }
  start = performance.now()
  const first = await reparseSources(ctx)
  const firstMs = performance.now() - start
  start = performance.now()
  const second = await reparseSources(ctx)
  const secondMs = performance.now() - start
  await store.close()
  const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en')
  process.stdout.write([
    `${count.toLocaleString('en')} records, ${cpus().length} cores, Node ${process.version}`,
    '',
    '| step | records | changed | time | records/s |',
    '|---|---|---|---|---|',
    `| parseFilename alone | ${count} | — | ${parseMs.toFixed(0)} ms | ${rate(count, parseMs)} |`,
    `| reparse, fields change | ${first.checked} | ${first.changed} | ${(firstMs / 1000).toFixed(1)} s | ${rate(first.checked, firstMs)} |`,
    `| reparse, nothing to change | ${second.checked} | ${second.changed} | ${(secondMs / 1000).toFixed(1)} s | ${rate(second.checked, secondMs)} |`,
    '',
  ].join('\n'))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
