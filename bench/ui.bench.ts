// Web UI benchmark: the built app (`npx nuxt build` first) served by `sagasu serve` over the query
// benchmark's generated index (bench/query/dataset.ts, cached under bench/.work/), driven by
// Debian's Chromium through playwright-core. Measures
//   - Enter → first thumbnails painted: from the keydown of Enter in the search box to the render
//     time (Element Timing) of the first thumbnail of the new results, over several queries;
//   - scrolling fps: requestAnimationFrame callbacks per second while the page scrolls through
//     `--scroll` results at a steady speed (pages load as it goes, as a person scrolling would see);
//   - first-load JavaScript: every script the first page load transfers, gzipped (level 6, as a
//     reverse proxy would) and as sent.
// Thumbnails: the generated index has no files, so a WebP is written for every image the
// benchmark shows (the server serves them from the data directory as it serves real ones).
// Usage: npm run bench:ui -- [--count 100000] [--runs 7] [--scroll 5000] [--work bench/.work]
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import sharp from 'sharp'
import { chromium, type Page } from 'playwright-core'
import type { SearchPage } from '../shared/types/api'
import { thumbnailPath } from '../workers/stages/thumbnail.stage'
import { cachedDataset, type DatasetInfo } from './query/dataset'

const TARGET_PAINT_MS = 500
const TARGET_FPS = 50
const TARGET_JS_KB = 500
const ROOT = join(import.meta.dirname, '..')

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '7' },
    scroll: { type: 'string', default: '5000' },
    work: { type: 'string', default: join(import.meta.dirname, '.work') },
  },
})
const count = Number(values.count)
const runs = Number(values.runs)
const scrollCount = Number(values.scroll)
if (!Number.isInteger(count) || count < 1000) throw new Error('--count must be a whole number ≥ 1000')
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number ≥ 1')
if (!Number.isInteger(scrollCount) || scrollCount < 100 || scrollCount > count) throw new Error('--scroll must be a whole number from 100 to --count')
if (!existsSync(join(ROOT, '.output/server/index.mjs'))) throw new Error('no built app: run `npx nuxt build` first')
const log = (message: string) => process.stderr.write(`${message}\n`)

// --- the index (shared with bench:query) ---
const dataDir = join(values.work, `query-${count}`)
const info: DatasetInfo = await cachedDataset(dataDir, count, log)

// --- the server ---
const empty = join(values.work, 'ui-empty-folder')
mkdirSync(empty, { recursive: true })
const configFile = join(values.work, `ui-${count}.yaml`)
writeFileSync(configFile, [
  `dataDir: ${JSON.stringify(dataDir)}`,
  // A folder is needed (none means the demo library); watching is off, so the index is served as it is.
  `folders: [{ name: bench, path: ${JSON.stringify(empty)} }]`,
  'watch: { enabled: false }',
  'models: { clip: { enabled: false }, tagger: { enabled: false }, ocr: { enabled: false } }',
  '',
].join('\n'))
const port = 20000 + Math.floor(Math.random() * 20000)
const url = `http://127.0.0.1:${port}`
const server = spawn(process.execPath, [join(ROOT, 'bin/sagasu.mjs'), '--config', configFile, 'serve', '--port', String(port), '--no-watch'], {
  cwd: ROOT, env: { ...process.env, SAGASU_CONFIG: '', SAGASU_MODELS: 'none' }, stdio: ['ignore', 'pipe', 'pipe'],
})
let serverOutput = ''
server.stdout.on('data', (chunk: Buffer) => (serverOutput += chunk))
server.stderr.on('data', (chunk: Buffer) => (serverOutput += chunk))
const stopServer = () => server.kill('SIGTERM')
process.on('exit', stopServer)
for (let waited = 0; ; waited += 200) {
  if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) break
  if (server.exitCode !== null || waited > 120_000) throw new Error(`the server did not start:\n${serverOutput}`)
  await new Promise((resolve) => setTimeout(resolve, 200))
}
// The in-memory index loads in the background; a search answers once it is there.
await fetch(`${url}/api/search?limit=1&q=${encodeURIComponent('tags.a')}`)

// --- thumbnails for everything the benchmark shows ---
const thumbnails = await Promise.all(Array.from({ length: 8 }, (_, k) => {
  const noise = Buffer.alloc(320 * 240 * 3)
  for (let i = 0; i < noise.length; i++) noise[i] = (i * (k + 3) * 2654435761) >>> 24
  return sharp(noise, { raw: { width: 320, height: 240, channels: 3 } }).webp({ quality: 80 }).toBuffer()
}))
let written = 0
async function fetchAll(q: string, limit: number): Promise<SearchPage['results']> {
  const results: SearchPage['results'] = []
  let cursor: string | null | undefined
  while (results.length < limit && cursor !== null) {
    const page = await fetch(`${url}/api/search?limit=500&q=${encodeURIComponent(q)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).then((r) => r.json() as Promise<SearchPage>)
    results.push(...page.results)
    cursor = page.nextCursor
  }
  return results.slice(0, limit)
}
function writeThumbnails(images: SearchPage['results']): void {
  for (const image of images) {
    const path = thumbnailPath(dataDir, image.hash)
    if (existsSync(path)) continue
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, thumbnails[Number.parseInt(image.hash.slice(0, 2), 16) % thumbnails.length]!)
    written++
  }
}

const queries = info.picks.general.slice(5, 5 + runs).map((tag, k) => (k % 2 ? `tags.${tag.name}, width;>=${600 + k * 100}` : `tags.${tag.name}`))
for (const q of queries) writeThumbnails(await fetchAll(q, 100))
writeThumbnails(await fetchAll('', scrollCount + 400))
const thumbnailBytes = thumbnails.reduce((sum, buffer) => sum + buffer.length, 0) / thumbnails.length
log(`wrote ${written} thumbnails (${(thumbnailBytes / 1024).toFixed(0)} KiB each)`)

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
  // tsx compiles this file with esbuild's keepNames, whose `__name` helper the page lacks.
  await context.addInitScript('window.__name = (fn) => fn')
  const page = await context.newPage()

  // --- first-load JavaScript ---
  const scripts = new Map<string, Buffer>()
  page.on('response', async (response) => {
    if (response.request().resourceType() !== 'script') return
    scripts.set(response.url(), await response.body().catch(() => Buffer.alloc(0)))
  })
  await page.goto(url, { waitUntil: 'networkidle' })
  await page.getByTestId('grid-cell').first().waitFor()
  page.removeAllListeners('response')
  const rawJs = [...scripts.values()].reduce((sum, body) => sum + body.length, 0)
  const gzipJs = [...scripts.values()].reduce((sum, body) => sum + gzipSync(body, { level: 6 }).length, 0)
  log(`first load: ${scripts.size} scripts, ${(gzipJs / 1024).toFixed(0)} kB gzipped`)

  // --- Enter → first thumbnail painted ---
  const paints: number[] = []
  for (const q of queries) paints.push(await timeSearch(page, q))
  log(`Enter → painted: ${paints.map((ms) => ms.toFixed(0)).join(', ')} ms`)

  // --- scrolling fps ---
  const scroll = await timeScroll(page, scrollCount)
  log(`scrolling: ${scroll.fps.toFixed(1)} fps over ${scroll.seconds.toFixed(1)} s; main-thread frames over 50 ms: ${scroll.slow.count}, `
    + `${scroll.slow.ms.toFixed(0)} ms in all (${scroll.slow.scriptMs.toFixed(0)} ms script, ${scroll.slow.layoutMs.toFixed(0)} ms style and layout)`)

  const sorted = [...paints].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]!
  const worst = sorted[sorted.length - 1]!
  const cpu = cpus()
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} kB`
  process.stdout.write([
    `Command: \`npx nuxt build && npm run bench:ui -- --count ${count} --runs ${runs} --scroll ${scrollCount}\``,
    `Machine: ${cpu.length} cores (${cpu[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${browser.version()} headless, viewport 1280×800`,
    `Index: ${count.toLocaleString('en-US')} generated images (bench/query/dataset.ts, seed ${info.seed}); thumbnails 320×240 WebP of ${(thumbnailBytes / 1024).toFixed(0)} KiB written for the images shown.`,
    '',
    '| measure | result | target |',
    '|---|---|---|',
    `| Enter → first thumbnails painted (median of ${runs} queries; worst) | ${median.toFixed(0)} ms; ${worst.toFixed(0)} ms | ≤ ${TARGET_PAINT_MS} ms: **${worst <= TARGET_PAINT_MS ? 'met' : median <= TARGET_PAINT_MS ? 'met at the median' : 'missed'}** |`,
    `| scrolling through ${scrollCount.toLocaleString('en-US')} results | ${scroll.fps.toFixed(1)} fps (${scroll.frames} frames in ${scroll.seconds.toFixed(1)} s; ${scroll.long} frames over 25 ms) | ≥ ${TARGET_FPS} fps: **${scroll.fps >= TARGET_FPS ? 'met' : 'missed'}** |`,
    `| first-load JavaScript (${scripts.size} files) | ${kb(gzipJs)} gzipped (${kb(rawJs)} as sent) | ≤ ${TARGET_JS_KB} kB gzipped: **${gzipJs <= TARGET_JS_KB * 1000 ? 'met' : 'missed'}** |`,
    '',
    `Queries: ${queries.map((q) => `\`${q}\``).join(', ')}.`,
    '',
  ].join('\n'))
} finally {
  await browser.close()
  stopServer()
}

/** Types the query, presses Enter, and waits for the first thumbnail of the new results to paint. */
async function timeSearch(page: Page, q: string): Promise<number> {
  const input = page.locator('[data-testid="query-input"] input')
  await input.fill(q)
  // Settle: no autocomplete request in flight while timing.
  await page.keyboard.press('Escape')
  await page.waitForTimeout(300)
  const before = await page.getByTestId('grid-cell').first().getAttribute('data-id')
  const measured = page.evaluate((previous) => new Promise<number>((resolve) => {
    let start = 0
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') start = performance.now()
    }, { capture: true, once: true })
    new PerformanceObserver((list, observer) => {
      for (const entry of list.getEntries() as Array<PerformanceEntry & { renderTime: number; element: Element | null }>) {
        const cell = entry.element?.closest('[data-id]')
        if (start && entry.renderTime > start && cell && cell.getAttribute('data-id') !== previous) {
          observer.disconnect()
          resolve(entry.renderTime - start)
          return
        }
      }
    }).observe({ type: 'element', buffered: false })
  }), before)
  await input.press('Enter')
  return measured
}

/** Scrolls at a steady speed until `target` results have gone by, counting animation frames. */
async function timeScroll(page: Page, target: number): Promise<{ fps: number; frames: number; seconds: number; long: number; slow: { count: number; ms: number; scriptMs: number; layoutMs: number } }> {
  const input = page.locator('[data-testid="query-input"] input')
  await input.fill('')
  await input.press('Enter')
  await page.getByTestId('grid-cell').first().waitFor()
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.waitForTimeout(500)
  return page.evaluate((goal) => new Promise((resolve) => {
    const STEP = 120
    // Main-thread work of the slow frames (Long Animation Frames API): script vs style and layout.
    const slow = { count: 0, ms: 0, scriptMs: 0, layoutMs: 0 }
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Array<PerformanceEntry & { renderStart: number; styleAndLayoutStart: number; scripts: Array<{ duration: number }> }>) {
        slow.count++
        slow.ms += entry.duration
        slow.scriptMs += entry.scripts.reduce((sum, script) => sum + script.duration, 0)
        if (entry.styleAndLayoutStart) slow.layoutMs += entry.startTime + entry.duration - entry.styleAndLayoutStart
      }
    }).observe({ type: 'long-animation-frame', buffered: false })
    let frames = 0
    let long = 0
    let last = performance.now()
    const first = last
    const done = () => {
      const cells = [...document.querySelectorAll('[data-testid="grid-cell"]')].map((cell) => Number(cell.getAttribute('data-index')))
      return Math.max(-1, ...cells) >= goal
    }
    const tick = (now: number) => {
      frames++
      if (now - last > 25) long++
      last = now
      window.scrollBy(0, STEP)
      if (done() || now - first > 180_000) {
        const seconds = (now - first) / 1000
        resolve({ fps: frames / seconds, frames, seconds, long, slow })
        return
      }
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  }), target)
}
