// AI-generation metadata on real files: how many of each expectation set are read fully right
// (every key of its `expect`, as ../shared/realworld/aimeta/README.md defines the comparison) and
// how long one file takes to read (readAiMetadata on the bytes already in memory, as the import
// calls it; the issue's target is ≤ 50 ms per file, stealth alpha reading included).
// Sets: ../shared/realworld/aimeta (real files from public repositories) and every `--set DIR`
// (a folder in the same format: expected.json + files/); the folders under test/fixtures/aimeta-extra are always read.
// Usage: npm run bench:aimeta -- [--set DIR ...] [--runs 20] [--verbose]
import { existsSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { extname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { extraAiMetaSets, loadAiMetaSet, wrongFields } from '../test/helpers/aimeta-expectations'
import { readAiParameters } from '../workers/stages/ai-metadata.stage'

const ROOT = join(import.meta.dirname, '..')
const { values } = parseArgs({
  options: {
    set: { type: 'string', multiple: true, default: [] },
    runs: { type: 'string', default: '20' },
    verbose: { type: 'boolean', default: false },
  },
})
const runs = Math.max(1, Number(values.runs))
const sets = [join(ROOT, '..', 'shared', 'realworld', 'aimeta'), ...extraAiMetaSets(ROOT), ...values.set]

console.log(`bench:aimeta on ${cpus().length} cores, node ${process.version}, ${runs} timed reads per file`)
for (const dir of sets) {
  if (!existsSync(join(dir, 'expected.json'))) {
    console.log(`\n${dir}: no expected.json, skipped`)
    continue
  }
  const set = loadAiMetaSet(dir)
  const names = Object.keys(set.files).sort()
  const byClass = new Map<string, { right: number; all: number; ms: number[] }>()
  const times: { name: string; ms: number }[] = []
  let right = 0
  console.log(`\n${dir}: ${names.length} files`)
  for (const name of names) {
    const buf = readFileSync(join(set.folder, name))
    const format = extname(name).slice(1).toLowerCase()
    const { parameters: ai, warnings } = await readAiParameters(buf, format)
    const wrong = wrongFields(ai, set.files[name]!.expect)
    const cls = set.files[name]!.class
    const entry = byClass.get(cls) ?? { right: 0, all: 0, ms: [] }
    byClass.set(cls, entry)
    entry.all++
    if (wrong.length === 0) {
      right++
      entry.right++
    } else if (values.verbose) {
      console.log(`  ✗ ${name}\n      ${wrong.map((w) => w.slice(0, 160)).join('\n      ')}`)
    }
    if (values.verbose && warnings.length) console.log(`  ! ${name}: ${warnings.map((w) => `${w.generator} ${w.field}: ${w.reason}`).join('; ')}`)
    let best = Infinity
    for (let i = 0; i < runs; i++) {
      const start = process.hrtime.bigint()
      await readAiParameters(buf, format)
      best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6)
    }
    times.push({ name, ms: best })
    entry.ms.push(best)
  }
  // Per class, as the stealth files (a pixel decode) cost more than the text-chunk ones.
  for (const [cls, { right: r, all, ms }] of [...byClass].sort()) {
    console.log(`  ${cls.padEnd(36)} ${`${r}/${all}`.padEnd(6)} read ${Math.max(...ms).toFixed(2)} ms at most`)
  }
  times.sort((a, b) => a.ms - b.ms)
  const median = times[Math.floor(times.length / 2)]!.ms
  const slowest = times.at(-1)!
  console.log(`  fully right: ${right}/${names.length}`)
  console.log(`  read time per file (best of ${runs}): median ${median.toFixed(2)} ms, slowest ${slowest.ms.toFixed(2)} ms (${slowest.name})`)
}
