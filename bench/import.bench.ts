// Import benchmark: first import (with thumbnails) of a generated library, then an unchanged re-scan.
// Usage: npm run bench:import -- [--count 10000] [--concurrency 2] [--min-side 800] [--max-side 2000]
// Prints a Markdown table for BENCHMARKS.md. The library is generated once and cached under bench/.work/.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { stringify } from 'yaml'
import { generateSyntheticLibrary } from '../workers/synthetic-library'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '2' },
    'min-side': { type: 'string', default: '800' },
    'max-side': { type: 'string', default: '2000' },
    work: { type: 'string', default: join(import.meta.dirname, '.work') },
  },
})
const count = Number(values.count)
const minSide = Number(values['min-side'])
const maxSide = Number(values['max-side'])
const library = join(values.work, `library-${count}-${minSide}-${maxSide}`)
const marker = join(library, '.complete')

if (!existsSync(marker)) {
  const started = Date.now()
  rmSync(library, { recursive: true, force: true })
  process.stderr.write(`generating ${count} images of ${minSide}–${maxSide} px in ${library}\n`)
  await generateSyntheticLibrary(library, {
    count, seed: 10_000, minSide, maxSide, formats: ['png', 'jpeg'],
    onProgress: (done, total) => { if (done % 500 === 0 || done === total) process.stderr.write(`  ${done}/${total}\n`) },
  })
  writeFileSync(marker, '')
  process.stderr.write(`generated in ${((Date.now() - started) / 1000).toFixed(0)} s\n`)
}

const dataDir = join(values.work, `data-${count}`)
rmSync(dataDir, { recursive: true, force: true })
mkdirSync(dataDir, { recursive: true })
const configFile = join(dataDir, 'sagasu.config.yaml')
writeFileSync(configFile, stringify({ folders: [{ name: 'bench', path: library }], dataDir, watch: { enabled: false } }))

interface Run { counts: Record<string, number>; seconds: number; maxRssMiB: number }
const runImport = (): Run => JSON.parse(execFileSync(process.execPath, [join(import.meta.dirname, '../bin/run-ts.mjs'), join(import.meta.dirname, 'import-child.ts'), configFile, values.concurrency], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as Run

const first = runImport()
const rescan = runImport()
if (first.counts.added !== count || first.counts.errors !== 0) throw new Error(`first import did not add every image: ${JSON.stringify(first.counts)}`)
if (rescan.counts.unchanged !== count) throw new Error(`re-scan changed something: ${JSON.stringify(rescan.counts)}`)

const rows = [
  ['first import (thumbnails included)', `${(count / first.seconds).toFixed(1)} images/s`, `${first.seconds.toFixed(1)} s`, '≥ 100 images/s'],
  ['unchanged re-scan', `${rescan.seconds.toFixed(2)} s`, `${count} files`, '≤ 2 s'],
  ['peak RSS, first import', `${first.maxRssMiB.toFixed(0)} MiB`, '', '≤ 500 MB'],
  ['peak RSS, re-scan', `${rescan.maxRssMiB.toFixed(0)} MiB`, '', ''],
]
process.stdout.write([
  `Command: \`npm run bench:import -- --count ${count} --concurrency ${values.concurrency} --min-side ${minSide} --max-side ${maxSide}\``,
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  '',
  '| measure | result | detail | target |',
  '|---|---|---|---|',
  ...rows.map((row) => `| ${row.join(' | ')} |`),
  '',
].join('\n'))
