// OCR benchmark: character error rate per language and images/s through the OCR stage (sharp
// preprocessing + tesseract.js), on generated images of rendered text.
// Usage: npm run bench:ocr -- [--count 200] [--data 4.0.0|4.0.0_best_int] [--workers 1] [--batch 8]
// Needs the CJK fonts (Debian/Ubuntu: apt-get install fonts-noto-cjk) to render the images.
// Prints a Markdown table for BENCHMARKS.md. Images are generated once and cached under bench/.work/.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { CORPUS, type CorpusLanguage } from '../scripts/ocr/corpus'
import { hasCjkFonts, mulberry32, renderTextImage, type TextImageSpec } from '../scripts/ocr/text-image'
import { characterErrorRate } from '../workers/ocr/character-error-rate'
import type { OcrDataVariant } from '../workers/ocr/language-folder'
import { createOcrStage } from '../workers/ocr/ocr.stage'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    data: { type: 'string', default: '4.0.0' },
    workers: { type: 'string', default: '1' },
    batch: { type: 'string', default: '8' },
    work: { type: 'string', default: join(import.meta.dirname, '.work') },
  },
})
const count = Number(values.count)
const variant = values.data as OcrDataVariant

if (!(await hasCjkFonts())) {
  process.stderr.write('bench:ocr renders Japanese and Chinese text and needs the Noto Sans CJK fonts: apt-get install fonts-noto-cjk\n')
  process.exit(1)
}
process.stderr.write('rendering with this machine\'s fonts (DejaVu Sans, Noto Sans CJK JP/SC from fonts-noto-cjk)\n')

/** Share of the set per category; vertical Japanese is Japanese read top to bottom, right to left. */
const CATEGORIES: Array<{ name: string; corpus: CorpusLanguage; script: TextImageSpec['script']; orientation: TextImageSpec['orientation']; share: number }> = [
  { name: 'English', corpus: 'eng', script: 'latin', orientation: 'horizontal', share: 0.25 },
  { name: 'Japanese, horizontal', corpus: 'jpn', script: 'jpn', orientation: 'horizontal', share: 0.25 },
  { name: 'Japanese, vertical', corpus: 'jpn', script: 'jpn', orientation: 'vertical', share: 0.2 },
  { name: 'Chinese (simplified)', corpus: 'chi_sim', script: 'chi_sim', orientation: 'horizontal', share: 0.25 },
  { name: 'Japanese with Latin words and numbers', corpus: 'mixed', script: 'jpn', orientation: 'horizontal', share: 0.05 },
]
const FONT_SIZES = [16, 20, 24, 32, 40, 56]

interface Sample { file: string; category: string; background: TextImageSpec['background']; fontSize: number; text: string }

const folder = join(values.work, `ocr-set-${count}`)
const manifest = join(folder, 'manifest.json')
if (!existsSync(manifest)) {
  rmSync(folder, { recursive: true, force: true })
  mkdirSync(folder, { recursive: true })
  const random = mulberry32(2024)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const samples: Sample[] = []
  for (const category of CATEGORIES) {
    const n = Math.round(count * category.share)
    for (let i = 0; i < n; i++) {
      const lines = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(CORPUS[category.corpus]))
      const roll = random()
      const background: TextImageSpec['background'] = roll < 0.5 ? 'white' : roll < 0.75 ? 'colour' : 'noise'
      const fontSize = pick(FONT_SIZES)
      const file = `${samples.length}.png`
      writeFileSync(join(folder, file), await renderTextImage({ script: category.script, orientation: category.orientation, lines, fontSize, background, seed: samples.length + 1 }))
      samples.push({ file, category: category.name, background, fontSize, text: lines.join('\n') })
    }
  }
  writeFileSync(manifest, JSON.stringify(samples))
}
const samples = JSON.parse(readFileSync(manifest, 'utf8')) as Sample[]

const dataDir = join(values.work, 'ocr-data')
const stage = createOcrStage({ dataDir, languages: ['jpn', 'jpn_vert', 'chi_sim', 'eng'], workers: Number(values.workers), dataVariant: variant, idleUnloadSeconds: 600 })
let started = performance.now()
await stage.load()
const loadSeconds = (performance.now() - started) / 1000

const batchSize = Number(values.batch)
const outputs: string[] = []
let failed = 0
started = performance.now()
for (let i = 0; i < samples.length; i += batchSize) {
  const batch = samples.slice(i, i + batchSize).map((sample, j) => ({ imageId: i + j + 1, hash: String(i + j), absPath: join(folder, sample.file) }))
  for (const outcome of await stage.run(batch)) {
    if (outcome.status === 'done') outputs.push(outcome.output)
    else { outputs.push(''); failed++; process.stderr.write(`${outcome.status}: ${outcome.reason}\n`) }
  }
}
const seconds = (performance.now() - started) / 1000
await stage.unload()

/** Errors over reference characters, summed over the images (whitespace compared loosely). */
function cer(picked: number[]): { rate: number; images: number } {
  let errors = 0
  let chars = 0
  for (const i of picked) {
    const reference = samples[i]!.text.replace(/\s+/g, ' ').trim()
    const length = [...reference].length
    errors += characterErrorRate(outputs[i]!, samples[i]!.text) * length
    chars += length
  }
  return { rate: chars === 0 ? 0 : errors / chars, images: picked.length }
}
const percent = (value: number): string => `${(value * 100).toFixed(1)} %`
const indexes = samples.map((_, i) => i)
const rows = CATEGORIES.map((category) => {
  const all = indexes.filter((i) => samples[i]!.category === category.name)
  const clean = all.filter((i) => samples[i]!.background === 'white')
  const colour = all.filter((i) => samples[i]!.background === 'colour')
  const noise = all.filter((i) => samples[i]!.background === 'noise')
  const small = all.filter((i) => samples[i]!.fontSize <= 20)
  return `| ${category.name} | ${all.length} | **${percent(cer(clean).rate)}** (${clean.length}) | ${percent(cer(colour).rate)} (${colour.length}) | ${percent(cer(noise).rate)} (${noise.length}) | ${percent(cer(small).rate)} (${small.length}) | ${percent(cer(all).rate)} |`
})

process.stdout.write([
  `Command: \`npm run bench:ocr -- --count ${count} --data ${variant} --workers ${values.workers} --batch ${batchSize}\``,
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average at the end ${loadavg().map((n) => n.toFixed(1)).join(' / ')}; Node ${process.version}`,
  `Images rendered with DejaVu Sans and Noto Sans CJK JP/SC (fonts-noto-cjk), font sizes ${FONT_SIZES.join(', ')} px, 1–3 lines; backgrounds white (clean), pastel colour, coloured speckles.`,
  '',
  '| text | images | CER clean (n) | CER colour (n) | CER noise (n) | CER ≤ 20 px text (n) | CER all |',
  '|---|---|---|---|---|---|---|',
  ...rows,
  '',
  `Throughput: ${(samples.length / seconds).toFixed(2)} images/s (${samples.length} images in ${seconds.toFixed(1)} s, ${failed} failed); tesseract start-up ${loadSeconds.toFixed(1)} s (not counted).`,
  '',
].join('\n'))
