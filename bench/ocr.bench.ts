// OCR benchmark, both engines (tesseract.js and paddle) side by side through the engine seam
// (models/ocr/ocr-engine.ts):
// - `--set real`: the real images of ../shared/realworld/ocr/ per group (CER, findable share) and
//   text-free real illustrations (characters stored), images/s, memory (bench/ocr/real-bench.ts);
// - `--set synthetic` (the default): character error rate per language on generated images of
//   rendered text; needs the CJK fonts (apt-get install fonts-noto-cjk); images are generated once
//   and cached under bench/.work/;
// - `--set both`: the real tables, then the synthetic one.
// Usage: npm run bench:ocr -- [--set real|synthetic|both] [--engines tesseract,paddle] [--count 200]
//        [--data 4.0.0|4.0.0_best_int] [--per-group N] [--realworld DIR (default ../shared/realworld)] [--dump readings.json]
// The paddle engine reads the models `npm run test:deps` converts (test/helpers/ocr-models.ts).
// Prints Markdown tables for BENCHMARKS.md.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { CORPUS, type CorpusLanguage } from '../scripts/ocr/corpus'
import { hasCjkFonts, mulberry32, renderTextImage, type TextImageSpec } from '../scripts/ocr/text-image'
import { ocrModelFolder } from '../test/helpers/ocr-models'
import { characterErrorRate } from '../models/ocr/character-error-rate'
import type { OcrDataVariant } from '../models/ocr/language-folder'
import type { OcrEngine } from '../models/ocr/ocr-engine'
import { tidyOcrText } from '../models/ocr/ocr-text'
import { decodeForOcr } from '../models/ocr/decode-pixels'
import { DEFAULT_PREPROCESS_LIMITS } from '../models/ocr/preprocess'
import { createPaddleSeamEngine } from './ocr/paddle-seam'
import { runRealBench } from './ocr/real-bench'
import { createTesseractSeamEngine } from './ocr/tesseract-seam'

const { values } = parseArgs({
  options: {
    set: { type: 'string', default: 'synthetic' },
    engines: { type: 'string', default: 'tesseract,paddle' },
    count: { type: 'string', default: '200' },
    data: { type: 'string', default: '4.0.0' },
    'per-group': { type: 'string' },
    realworld: { type: 'string' },
    dump: { type: 'string' },
    work: { type: 'string', default: join(import.meta.dirname, '.work') },
  },
})
const count = Number(values.count)
const variant = values.data as OcrDataVariant
const set = values.set
if (!['real', 'synthetic', 'both'].includes(set)) {
  process.stderr.write(`--set must be real, synthetic or both, not ${set}\n`)
  process.exit(2)
}
const engineNames = values.engines.split(',').map((name) => name.trim()).filter(Boolean)
for (const name of engineNames) {
  if (name !== 'tesseract' && name !== 'paddle') {
    process.stderr.write(`--engines takes tesseract and/or paddle, not ${name}\n`)
    process.exit(2)
  }
}
const dataDir = join(values.work, 'ocr-data')
const engines = engineNames.map((name) => ({
  name,
  create: (): Promise<OcrEngine | string> => name === 'tesseract'
    ? createTesseractSeamEngine(dataDir, ['jpn', 'jpn_vert', 'chi_sim', 'eng'], variant)
    : createPaddleSeamEngine(ocrModelFolder(), dataDir),
}))
const argsText = [`--set ${set}`, `--engines ${engineNames.join(',')}`, ...(set !== 'real' ? [`--count ${count}`] : []), `--data ${variant}`, ...(values['per-group'] ? [`--per-group ${values['per-group']}`] : [])].join(' ')

if (set === 'real' || set === 'both') {
  process.stdout.write(await runRealBench({
    engines,
    perGroup: values['per-group'] ? Number(values['per-group']) : undefined,
    command: `npm run bench:ocr -- ${argsText}`,
    ...(values.realworld ? { realworld: values.realworld } : {}),
    ...(values.dump ? { dump: values.dump } : {}),
  }))
  if (set === 'real') process.exit(0)
  process.stdout.write('\n')
}

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

interface SyntheticRun { id: string; outputs: string[]; failed: number; seconds: number; loadSeconds: number }
const runs: SyntheticRun[] = []
for (const engine of engines) {
  let started = performance.now()
  const created = await engine.create()
  if (typeof created === 'string') {
    process.stderr.write(`${engine.name}: not run: ${created}\n`)
    continue
  }
  const run: SyntheticRun = { id: created.id, outputs: [], failed: 0, seconds: 0, loadSeconds: (performance.now() - started) / 1000 }
  started = performance.now()
  for (const sample of samples) {
    try {
      run.outputs.push(tidyOcrText((await created.recognize(await decodeForOcr(join(folder, sample.file), DEFAULT_PREPROCESS_LIMITS))).text))
    } catch (error) {
      run.outputs.push('')
      run.failed++
      process.stderr.write(`${created.id}: ${sample.file}: ${(error as Error).message}\n`)
    }
  }
  run.seconds = (performance.now() - started) / 1000
  await created.close()
  runs.push(run)
}

/** Errors over reference characters, summed over the images (whitespace compared loosely). */
function cer(outputs: string[], picked: number[]): { rate: number; images: number } {
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
const tableFor = (run: SyntheticRun): string[] => CATEGORIES.map((category) => {
  const all = indexes.filter((i) => samples[i]!.category === category.name)
  const clean = all.filter((i) => samples[i]!.background === 'white')
  const colour = all.filter((i) => samples[i]!.background === 'colour')
  const noise = all.filter((i) => samples[i]!.background === 'noise')
  const small = all.filter((i) => samples[i]!.fontSize <= 20)
  const cell = (picked: number[]): string => percent(cer(run.outputs, picked).rate)
  return `| ${category.name} | ${all.length} | **${cell(clean)}** (${clean.length}) | ${cell(colour)} (${colour.length}) | ${cell(noise)} (${noise.length}) | ${cell(small)} (${small.length}) | ${cell(all)} |`
})

process.stdout.write([
  `Command: \`npm run bench:ocr -- ${argsText}\``,
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average at the end ${loadavg().map((n) => n.toFixed(1)).join(' / ')}; Node ${process.version}`,
  `Synthetic set: ${samples.length} images rendered with DejaVu Sans and Noto Sans CJK JP/SC (fonts-noto-cjk), font sizes ${FONT_SIZES.join(', ')} px, 1–3 lines; backgrounds white (clean), pastel colour, coloured speckles.`,
  '',
  ...runs.flatMap((run) => [
    `Engine: ${run.id}`,
    '',
    '| text | images | CER clean (n) | CER colour (n) | CER noise (n) | CER ≤ 20 px text (n) | CER all |',
    '|---|---|---|---|---|---|---|',
    ...tableFor(run),
    '',
    `Throughput: ${(samples.length / run.seconds).toFixed(2)} images/s (${samples.length} images in ${run.seconds.toFixed(1)} s, ${run.failed} failed); ${run.id} start-up ${run.loadSeconds.toFixed(1)} s (not counted).`,
    '',
  ]),
].join('\n'))
