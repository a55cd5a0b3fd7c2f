// `npm run bench:ocr -- --set real`: both OCR engines, through the engine seam, on the real images
// of ../shared/realworld/ocr/ (scored as its README defines) and on text-free real illustrations of
// ../shared/realworld/aimeta/ (characters stored where there is no text).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import type { OcrEngine } from '../../models/ocr/ocr-engine'
import { tidyOcrText } from '../../models/ocr/ocr-text'
import { decodeForOcr } from '../../models/ocr/decode-pixels'
import { DEFAULT_PREPROCESS_LIMITS } from '../../models/ocr/preprocess'
import { cerParts, findableShare, groupCer, storedCharacters, type CerParts } from './real-scores'

/** `../shared/realworld` next to the repository, as the other benchmarks read it. */
export const REALWORLD = resolve(import.meta.dirname, '../../../shared/realworld')

/**
 * The real generated illustrations of ../shared/realworld/aimeta/files/ that show no text at all,
 * checked by eye one by one at 700 px (2026-12-06). Left out: the ComfyUI workflow screenshots
 * (node editor text), every image with the "01" shoulder tattoo or an artist's watermark (even
 * partly visible), the chalkboard scenes, the sign held up in comfyui-anima, the tiny and blank
 * files, and odd_comfyui_workflow_only.png (the same pixels as odd_comfyui_prompt_cut.png).
 */
export const TEXT_FREE_ILLUSTRATIONS = [
  'comfyex_chroma_fennec_girl_hug.png', // fox girl in a flower field at sunset
  'comfyex_flux_flux_depth_lora_example.png', // a shark under water
  'comfyex_flux_girl_in_field.png', // a girl in a rice field
  'comfyex_lcm_lcm_basic_example.png', // a bottle under a starry sky
  'comfyex_mochi_mochi_simple_checkpoint.webp', // a road through autumn forest, a smoke cloud (first frame)
  'comfyex_sd3_sd3_simple_example.png', // a galaxy bottle on a kitchen table
  'comfyex_sdturbo_sdxlturbo_example.png', // a fox in a glass jar in snow
  'odd_comfyui_prompt_cut.png', // Miku, head on hand, dark background
  'sdmeta_jpg_comfyui-save-image-extended.jpeg', // Miku close-up, hand raised
  'sdmeta_jpg_reforge.jpeg', // Miku close-up, dark background
  'sdmeta_png_comfyui.png', // Miku in profile, head on hand
  'sdmeta_png_stability-matrix-hires.png', // Miku close-up with headset
  'sdmeta_webp_comfyui-save-image-extended.webp', // Miku portrait on white
  'sdmeta_webp_novelai-curated.webp', // Miku half-body sketch on white
] as const

/** The groups of ../shared/realworld/ocr/README.md, in the order the table shows them. */
const GROUPS = [
  ['jp_vertical', 'Japanese vertical (manga bubbles)'],
  ['jp_horizontal', 'Japanese horizontal'],
  ['zh', 'Chinese'],
  ['en', 'English'],
  ['mixed', 'mixed scripts'],
  ['manga_page', 'whole manga pages (per bubble)'],
  ['jrpg', 'game frames (JRPG)'],
] as const

interface TruthItem { id: string; group: string; file: string; truth: string; blocks?: string[] }

interface EngineRun {
  /** `tesseract` or `paddle`: the column heading. */
  name: string
  id: string
  /** Per item id: the stored (tidied) text. */
  texts: Map<string, string>
  /** Per item id: seconds for decode + recognition. */
  seconds: Map<string, number>
  loadSeconds: number
  failures: string[]
  peakRssMb: number
  rssBeforeMb: number
}

export interface RealBenchOptions {
  engines: Array<{ name: string; create: () => Promise<OcrEngine | string> }>
  /** Only the first N images of each group (the smoke test); all when undefined. */
  perGroup?: number
  command: string
  /** The realworld folder (default REALWORLD). */
  realworld?: string
  /** Writes every stored text, per engine and image, as JSON here (to look at the readings). */
  dump?: string
}

export async function runRealBench(options: RealBenchOptions): Promise<string> {
  const realworld = options.realworld ?? REALWORLD
  const ocrFolder = join(realworld, 'ocr')
  const aimeta = join(realworld, 'aimeta', 'files')
  if (!existsSync(join(ocrFolder, 'truth.json')) || !existsSync(aimeta)) {
    throw new Error(`bench:ocr --set real reads ${ocrFolder} and ${aimeta}; they are missing (see docs/models.md, "OCR")`)
  }
  const all = (JSON.parse(readFileSync(join(ocrFolder, 'truth.json'), 'utf8')) as { items: TruthItem[] }).items
  const items = GROUPS.flatMap(([group]) => all.filter((item) => item.group === group).slice(0, options.perGroup))
  const illustrations = TEXT_FREE_ILLUSTRATIONS.slice(0, options.perGroup).map((file) => ({ id: `aimeta/${file}`, path: join(aimeta, file) }))

  const runs: EngineRun[] = []
  const missing: string[] = []
  for (const engine of options.engines) {
    const rssBeforeMb = process.memoryUsage().rss / 2 ** 20
    let peak = rssBeforeMb
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss / 2 ** 20) }, 50)
    try {
      let started = performance.now()
      const created = await engine.create()
      if (typeof created === 'string') {
        missing.push(`${engine.name}: ${created}`)
        continue
      }
      const run: EngineRun = { name: engine.name, id: created.id, texts: new Map(), seconds: new Map(), loadSeconds: (performance.now() - started) / 1000, failures: [], peakRssMb: 0, rssBeforeMb }
      try {
        const inputs = [...items.map((item) => ({ id: item.id, path: join(ocrFolder, item.file) })), ...illustrations]
        for (const input of inputs) {
          started = performance.now()
          try {
            const result = await created.recognize(await decodeForOcr(input.path, DEFAULT_PREPROCESS_LIMITS))
            run.texts.set(input.id, tidyOcrText(result.text))
          } catch (error) {
            run.failures.push(`${input.id}: ${(error as Error).message.split('\n')[0]}`)
            run.texts.set(input.id, '')
          }
          run.seconds.set(input.id, (performance.now() - started) / 1000)
        }
      } finally {
        await created.close()
      }
      run.peakRssMb = Math.max(peak, process.memoryUsage().rss / 2 ** 20)
      runs.push(run)
    } finally {
      clearInterval(sampler)
    }
  }

  if (options.dump) {
    writeFileSync(options.dump, `${JSON.stringify(Object.fromEntries(runs.map((run) => [run.id, Object.fromEntries(run.texts)])), null, 1)}\n`)
  }

  const percent = (value: number): string => `${(value * 100).toFixed(1)} %`
  const mean = (values: number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length)
  const rate = (run: EngineRun, ids: string[]): string => {
    const seconds = ids.reduce((sum, id) => sum + (run.seconds.get(id) ?? 0), 0)
    return seconds === 0 ? '–' : (ids.length / seconds).toFixed(2)
  }
  /** Findable shares of one group's units: images, or each bubble of a whole page. */
  const shares = (run: EngineRun, groupItems: TruthItem[]): number[] => groupItems.flatMap((item) =>
    (item.blocks ?? [item.truth]).map((truth) => findableShare(run.texts.get(item.id) ?? '', truth)))

  const header = `| group | images | ${runs.map((run) => `${run.name} CER | ${run.name} findable`).join(' | ')} | ${runs.map((run) => `${run.name} images/s`).join(' | ')} |`
  const rows: string[] = []
  const overallCer = new Map<EngineRun, CerParts[]>(runs.map((run) => [run, []]))
  const overallShares = new Map<EngineRun, number[]>(runs.map((run) => [run, []]))
  for (const [group, label] of GROUPS) {
    const groupItems = items.filter((item) => item.group === group)
    if (groupItems.length === 0) continue
    const cells = runs.map((run) => {
      const groupShares = shares(run, groupItems)
      overallShares.get(run)!.push(...groupShares)
      // Whole pages hold more text than their verified bubbles: no CER for them (README).
      if (group === 'manga_page') return `– | ${percent(mean(groupShares))}`
      const parts = groupItems.map((item) => cerParts(run.texts.get(item.id) ?? '', item.truth))
      overallCer.get(run)!.push(...parts)
      return `${percent(groupCer(parts))} | ${percent(mean(groupShares))}`
    })
    rows.push(`| ${label} | ${groupItems.length} | ${cells.join(' | ')} | ${runs.map((run) => rate(run, groupItems.map((item) => item.id))).join(' | ')} |`)
  }
  rows.push(`| **overall** (CER without whole pages; findable over every image and bubble) | ${items.length} | ${runs.map((run) => `**${percent(groupCer(overallCer.get(run)!))}** | **${percent(mean(overallShares.get(run)!))}**`).join(' | ')} | ${runs.map((run) => rate(run, items.map((item) => item.id))).join(' | ')} |`)

  const freeRows = runs.map((run) => {
    const counts = illustrations.map((image) => storedCharacters(run.texts.get(image.id) ?? ''))
    const worst = illustrations.map((image, i) => ({ image, n: counts[i]! })).filter(({ n }) => n > 0).sort((a, b) => b.n - a.n).slice(0, 3)
    const examples = worst.map(({ image }) => `\`${(run.texts.get(image.id) ?? '').replace(/\s+/g, ' ').slice(0, 24).replace(/\|/g, '\\|')}\``).join(', ')
    return `| ${run.name} | ${illustrations.length} | **${mean(counts).toFixed(2)}** | ${counts.filter((n) => n > 0).length} | ${rate(run, illustrations.map((image) => image.id))} | ${examples || '–'} |`
  })

  return [
    `Command: \`${options.command}\``,
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average at the end ${loadavg().map((n) => n.toFixed(1)).join(' / ')}; Node ${process.version}`,
    `Real images: ${ocrFolder} (${items.length} images; scores as its README defines them). Text-free: ${illustrations.length} illustrations of ${aimeta} (listed in bench/ocr/real-bench.ts).`,
    ...missing.map((line) => `Not run: ${line}`),
    '',
    header,
    `|---|---|${runs.map(() => '---|---|').join('')}${runs.map(() => '---|').join('')}`,
    ...rows,
    '',
    '| engine | text-free illustrations | characters stored per image (mean) | images with any text | images/s | worst readings |',
    '|---|---|---|---|---|---|',
    ...freeRows,
    '',
    ...runs.map((run) => `${run.name} (\`${run.id}\`): loaded in ${run.loadSeconds.toFixed(1)} s (not counted in images/s, which include decoding); process RSS ${run.rssBeforeMb.toFixed(0)} MB before loading, ${run.peakRssMb.toFixed(0)} MB at the peak; ${run.failures.length} failed${run.failures.length ? `: ${run.failures.join('; ')}` : ''}.`),
    '',
  ].join('\n')
}
