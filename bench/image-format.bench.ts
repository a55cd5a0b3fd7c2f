// The format gate on real files: every decode of untrusted bytes first asks
// media/image-format.ts what the bytes are, and only PNG, JPEG, GIF, WebP, AVIF and BMP reach
// the decoder. A gate is as good as its answers on files nobody here wrote, so this reads:
//   - ../shared/realworld/aimeta/files: 60 real generator outputs; truth: the `container` of expected.json;
//   - ../shared/realworld/ocr/images: 41 real manga, game and scene images; truth: the extension, which
//     libmagic (`file --mime-type`) is asked to confirm;
//   - --fixtures DIR: the `fixture/` folder of sindresorhus/file-type (MIT; 270 real files in ~150
//     formats, each named by its format, which that project's own tests assert), extracted from the
//     public repository (git archive <commit> fixture | tar -x -C DIR); not part of this repository;
//   - --svg DIR (repeatable): real SVG documents, e.g. the resvg renderer's test suite
//     (linebender/resvg crates/resvg/tests: 1,739 files with XML prologs, DOCTYPEs, entities,
//     comments, odd encodings) and an icon set (feathericons/feather icons/): each must be refused
//     and named "an SVG document", since an SVG decoder follows the references inside it.
// For each file: the sniffed answer against the truth (a raster format must be accepted as that
// format; anything else refused, with a name for what it is), and for accepted files the import's
// probe (probeImage: sharp metadata, BMP by our decoder) must decode it.
// Usage: npm run bench:formats -- [--fixtures DIR] [--svg DIR ...] [--realworld ../shared/realworld]
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { cpus } from 'node:os'
import { basename, extname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { SNIFF_BYTES, sniffImageFormat, type RasterFormat } from '../media/image-format'
import { probeImage } from '../workers/stages/probe.stage'

const ROOT = join(import.meta.dirname, '..')
const { values } = parseArgs({
  options: {
    realworld: { type: 'string', default: join(ROOT, '..', 'shared', 'realworld') },
    fixtures: { type: 'string' },
    svg: { type: 'string', multiple: true, default: [] },
  },
})

/** What a file's extension says it is, by the formats' own definitions. */
const RASTER_BY_EXTENSION: Record<string, RasterFormat> = {
  png: 'png', apng: 'png', jpg: 'jpeg', jpeg: 'jpeg', jfif: 'jpeg', gif: 'gif', webp: 'webp', avif: 'avif', bmp: 'bmp',
  // A Multi-Picture Object (CIPA DC-007) is a baseline JPEG with more images appended; decoders read the first.
  mpo: 'jpeg',
}

/**
 * file-type's own tests list these as false positives of the format their name gives (test.js,
 * `falsePositives`): JSON named .webp, a PNG whose signature is damaged.
 */
const NOT_THEIR_NAMES = new Set(['fixture-json.webp', 'fixture-corrupt.png'])

interface Case { source: string; file: string; truth: RasterFormat | 'other' | 'svg'; label: string }

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? walk(path) : entry.isFile() ? [path] : []
  })
}

const byExtension = (file: string): RasterFormat | 'other' => RASTER_BY_EXTENSION[extname(file).slice(1).toLowerCase()] ?? 'other'
const cases: Case[] = []

const aimeta = join(values.realworld, 'aimeta')
if (existsSync(aimeta)) {
  const expected = JSON.parse(readFileSync(join(aimeta, 'expected.json'), 'utf8')) as { files: Record<string, { container: string }> }
  const containers: Record<string, RasterFormat> = { PNG: 'png', JPEG: 'jpeg', WebP: 'webp' }
  for (const [name, entry] of Object.entries(expected.files)) {
    cases.push({ source: 'realworld/aimeta', file: join(aimeta, 'files', name), truth: containers[entry.container]!, label: name })
  }
}
const ocr = join(values.realworld, 'ocr', 'images')
if (existsSync(ocr)) {
  for (const file of walk(ocr)) {
    const truth = byExtension(file)
    const magic = execFileSync('file', ['--brief', '--mime-type', file], { encoding: 'utf8' }).trim()
    if (truth === 'other' || magic !== `image/${truth}`) throw new Error(`${file}: the extension says ${truth}, libmagic ${magic}`)
    cases.push({ source: 'realworld/ocr', file, truth, label: file.slice(ocr.length + 1) })
  }
}
if (values.fixtures) {
  for (const file of walk(values.fixtures)) cases.push({ source: 'file-type fixtures', file, truth: NOT_THEIR_NAMES.has(basename(file)) ? 'other' : byExtension(file), label: basename(file) })
}
for (const dir of values.svg) {
  for (const file of walk(dir)) cases.push({ source: `SVG: ${basename(dir)}`, file, truth: 'svg', label: basename(file) })
}
if (!cases.length) throw new Error(`no inputs: ${values.realworld} has no aimeta/ or ocr/, and no --fixtures was given`)

interface Tally { files: number; bytes: number; accepted: number; decoded: number; refused: number; named: number; wrong: string[]; undecoded: string[]; sniffMs: number }
const tallies = new Map<string, Tally>()
const refusedAs = new Map<string, number>()
for (const item of cases) {
  const tally = tallies.get(item.source) ?? { files: 0, bytes: 0, accepted: 0, decoded: 0, refused: 0, named: 0, wrong: [], undecoded: [], sniffMs: 0 }
  tallies.set(item.source, tally)
  const bytes = readFileSync(item.file)
  tally.files++
  tally.bytes += statSync(item.file).size
  const t0 = performance.now()
  const sniffed = sniffImageFormat(bytes.subarray(0, SNIFF_BYTES))
  tally.sniffMs += performance.now() - t0
  if (sniffed.raster) {
    const probe = await probeImage(bytes).then((result) => result, (error: unknown) => error)
    if (item.truth !== sniffed.format) {
      const then = probe instanceof Error ? `; the probe then refuses it (${probe.message})` : '; the probe decodes it'
      tally.wrong.push(`${item.label}: ${item.truth === 'other' ? 'not a raster format' : item.truth}, accepted as ${sniffed.format}${then}`)
      continue
    }
    tally.accepted++
    if (probe instanceof Error) tally.undecoded.push(`${item.label}: ${probe.message}`)
    else tally.decoded++
  } else {
    if (item.truth === 'svg' && sniffed.description !== 'an SVG document') {
      tally.wrong.push(`${item.label}: an SVG document, refused as ${sniffed.description}`)
      continue
    }
    if (item.truth !== 'other' && item.truth !== 'svg') {
      tally.wrong.push(`${item.label}: ${item.truth}, refused as ${sniffed.description}`)
      continue
    }
    tally.refused++
    if (!/^(data of an unknown format|text|empty)$/.test(sniffed.description)) tally.named++
    refusedAs.set(sniffed.description, (refusedAs.get(sniffed.description) ?? 0) + 1)
  }
}

const fixturesCommit = values.fixtures && existsSync(join(values.fixtures, '..', '.commit')) ? readFileSync(join(values.fixtures, '..', '.commit'), 'utf8').trim() : undefined
const args = [...(values.fixtures ? ['--fixtures', values.fixtures] : []), ...values.svg.flatMap((dir) => ['--svg', dir])]
console.log(`Command: \`npm run bench:formats${args.length ? ` -- ${args.join(' ')}` : ''}\`${fixturesCommit ? ` (file-type at ${fixturesCommit})` : ''}`)
console.log(`Machine: ${cpus().length} cores, Node ${process.version}\n`)
console.log('| inputs | files | MiB | raster files accepted as their format | of those decoded by the probe | other files refused | refused with a name | wrong answers | sniff time per file |')
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const [source, t] of tallies) {
  const raster = cases.filter((item) => item.source === source && item.truth !== 'other' && item.truth !== 'svg').length
  const other = t.files - raster
  console.log(`| ${source} | ${t.files} | ${(t.bytes / 2 ** 20).toFixed(1)} | ${t.accepted} of ${raster} | ${t.decoded} of ${t.accepted} | ${t.refused} of ${other} | ${t.named} of ${t.refused} | ${t.wrong.length} | ${((t.sniffMs * 1000) / t.files).toFixed(1)} µs |`)
}
const problems = [...tallies.entries()].flatMap(([source, t]) => [...t.wrong.map((line) => `wrong (${source}): ${line}`), ...t.undecoded.map((line) => `not decoded (${source}): ${line}`)])
if (problems.length) console.log(`\n${problems.map((line) => `- ${line}`).join('\n')}`)
if (refusedAs.size) console.log(`\nRefused as: ${[...refusedAs.entries()].sort((a, b) => b[1] - a[1]).map(([what, n]) => `${what} ${n}`).join(', ')}`)
