/**
 * The search page in a real browser (Debian's Chromium through playwright-core) against the built
 * server: a library of a few hundred generated images with the tiny fixture CLIP model, some tags
 * and OCR text written through the store, and files whose names and metadata carry script payloads.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SearchPage } from '../../shared/types/api'
import { openSqliteStore } from '../../server/store/embedded/sqlite-store'
import { writePngTextChunks } from '../../workers/ai-metadata/png-chunks'
import { launchBrowser, openPage, screenshot } from '../helpers/browser'
import { okReply, startPixivServer, type PixivServer } from '../helpers/pixiv-server'
import { ROOT, runCliJson } from '../helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from '../helpers/library'
import { startServer, type RunningServer } from '../helpers/server'

const MODELS = join(ROOT, 'test/fixtures/models')
const PLAIN = 300
/** Each payload sets window.__xss if it ever runs. */
const XSS_NAME = '<img src=x onerror=window.__xss=1>.png'
const XSS_PROMPT = '<script>window.__xss=2</script><img src=x onerror="window.__xss=3"> masterpiece'
const XSS_OCR = '<img src=x onerror=window.__xss=4><script>window.__xss=5</script>'
const XSS_TAG = '<svg onload=window.__xss=6>'
const XSS_TITLE = '<b onmouseover=window.__xss=7>title</b>'
const XSS_CAPTION = '<script>window.__xss=8</script><img src=x onerror="window.__xss=9"><a href="javascript:window.__xss=10">click</a>'

let browser: Browser
beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(() => browser?.close())

describe('search page in a browser', () => {
  const dir = tempDir('sagasu-browser-')
  const library = join(dir, 'library')
  let config: string
  let server: RunningServer
  let pixiv: PixivServer
  let page: Page
  let errors: string[]
  const ids = new Map<string, number>()

  beforeAll(async () => {
    for (let i = 0; i < PLAIN; i++) {
      await writeImage(join(library, `img-${String(i).padStart(3, '0')}.png`), { color: colorOf(i), width: 40 + (i * 7) % 90, height: 40 + (i * 13) % 70 })
    }
    await writeImage(join(library, '555_12345678_p0.png'), { color: '#0000ff', width: 80, height: 60 })
    await writeImage(join(library, '555_12345678_p1.png'), { color: '#0000f0', width: 80, height: 60 })
    const png = await writeImage(join(library, XSS_NAME), { color: '#123456', width: 70, height: 50 })
    writeFileSync(join(library, XSS_NAME), writePngTextChunks(png, { parameters: `${XSS_PROMPT}\nNegative prompt: lowres\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42` }, { chunkType: 'tEXt' }))
    pixiv = await startPixivServer()
    pixiv.reply('12345678', okReply('illust-pages', '12345678', { title: XSS_TITLE, illustTitle: XSS_TITLE, description: XSS_CAPTION, illustComment: XSS_CAPTION }))
    config = writeConfig(dir, {
      dataDir: join(dir, 'data'),
      folders: [{ name: 'lib', path: library }],
      pixiv: { baseUrl: pixiv.url, delayMs: 0, backoffMs: 1, maxWaitMs: 10, retries: 1, timeoutMs: 5000 },
      models: { clip: { path: join(MODELS, 'tiny-clip') }, tagger: { enabled: false }, ocr: { enabled: false }, hubUrl: 'http://127.0.0.1:9', hubTimeoutSeconds: 1 },
    })
    const imported = await runCliJson(['--config', config, 'import', '--wait'])
    expect(imported.code).toBe(0)
    expect((await runCliJson(['--config', config, 'pixiv'])).code).toBe(0)
    const all = await runCliJson<SearchPage>(['--config', config, 'search', '--limit', '500'])
    for (const image of all.body.results) ids.set(image.filename, image.id)
    // Tags and OCR text as the model stages would write them.
    const store = openSqliteStore(join(dir, 'data'))
    for (let i = 0; i < 12; i++) {
      const id = ids.get(`img-${String(i).padStart(3, '0')}.png`)!
      await store.setTags(id, [
        { name: 'red_hair', category: 'general', score: 0.9 },
        { name: 'long_hair', category: 'general', score: 0.6 },
        ...(i < 4 ? [{ name: 'blue_eyes', category: 'general' as const, score: 0.8 }] : []),
      ])
    }
    await store.setTags(ids.get(XSS_NAME)!, [{ name: XSS_TAG, category: 'general', score: 0.7 }])
    await store.setOcrText(ids.get(XSS_NAME)!, XSS_OCR)
    await store.close()
    server = await startServer(['--config', config], { env: { SAGASU_MODELS: '', SAGASU_WATCH: 'false' }, waitFor: /Listening/ })
    ;({ page, errors } = await openPage(browser))
  }, 300_000)

  afterAll(async () => {
    await server?.stop()
    await pixiv?.close()
  })

  const api = (q: string) => fetch(`${server.url}/api/search?limit=1&q=${encodeURIComponent(q)}`).then((r) => r.json() as Promise<SearchPage>)
  const queryInput = () => page.locator('[data-testid="query-input"] input')
  const totalText = () => page.getByTestId('total').innerText()
  const urlQ = () => new URL(page.url()).searchParams.get('q')

  /** Scores on the cells, best first; the image itself (in the library) scores about 1. */
  async function expectRankedBySimilarity(): Promise<void> {
    await expect.poll(() => page.getByTestId('score').count()).toBeGreaterThan(0)
    const scores = (await page.getByTestId('score').allInnerTexts()).map(Number)
    expect(scores[0]).toBeGreaterThan(0.99)
    expect([...scores].sort((a, b) => b - a)).toEqual(scores)
  }

  const thumbnailsLoaded = () => page.waitForFunction(() => [...document.querySelectorAll('img')].every((img) => img.complete))

  async function searchFor(q: string): Promise<void> {
    await queryInput().fill(q)
    await queryInput().press('Enter')
    await page.waitForURL((url) => url.searchParams.get('q') === (q || null))
    await expect.poll(() => page.getByTestId('search-submit').getAttribute('class')).not.toContain('v-btn--loading')
  }

  it('searches with chips, coloured, and the URL holds the query', async () => {
    await page.goto(server.url)
    await expect.poll(totalText).toBe(`${PLAIN + 3} images`)
    await searchFor('tags.red_hair, width;>=50')
    const chips = page.getByTestId('query-chip')
    await expect.poll(() => chips.count()).toBe(2)
    expect(await chips.nth(0).innerText()).toBe('tags.red_hair')
    expect(await chips.nth(1).locator('.q-field').innerText()).toBe('width')
    expect(await chips.nth(1).locator('.q-op').innerText()).toBe('>=')
    const expected = await api('tags.red_hair, width;>=50')
    await expect.poll(totalText).toBe(`${expected.total} images`)
    expect(expected.total).toBeGreaterThan(0)
    expect(expected.total).toBeLessThan(12)
    await thumbnailsLoaded()
    await screenshot(page, 'search')
    // Removing a chip searches without that clause.
    await chips.nth(1).locator('.v-chip__close').click()
    await page.waitForURL((url) => url.searchParams.get('q') === 'tags.red_hair')
    await expect.poll(totalText).toBe('12 images')
  })

  it('goes back and forward through searches', async () => {
    await searchFor('tags.blue_eyes')
    await expect.poll(totalText).toBe('4 images')
    await page.goBack()
    await expect.poll(() => queryInput().inputValue()).toBe('tags.red_hair')
    await expect.poll(totalText).toBe('12 images')
    await page.goForward()
    await expect.poll(() => queryInput().inputValue()).toBe('tags.blue_eyes')
    await expect.poll(totalText).toBe('4 images')
  })

  it('sorts, remembers searches, and recalls a saved one', async () => {
    await searchFor('tags.red_hair')
    await page.getByTestId('sort-select').click()
    await page.getByRole('option', { name: 'Largest file' }).click()
    await page.waitForURL((url) => url.searchParams.get('sort') === 'filesize')
    const expected = await fetch(`${server.url}/api/search?limit=1&sort=filesize&q=tags.red_hair`).then((r) => r.json() as Promise<SearchPage>)
    await expect.poll(() => page.getByTestId('grid-cell').first().getAttribute('data-id')).toBe(String(expected.results[0]!.id))
    await page.getByTestId('search-memory').click()
    await page.getByTestId('save-search').click()
    await searchFor('tags.blue_eyes')
    await page.getByTestId('search-memory').click()
    const saved = page.getByRole('listitem').filter({ hasText: 'tags.red_hair' }).first()
    await saved.click()
    await page.waitForURL((url) => url.searchParams.get('q') === 'tags.red_hair' && url.searchParams.get('sort') === 'filesize')
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('sagasu.savedSearches') ?? '[]'))).toEqual([{ q: 'tags.red_hair', text: '', sort: 'filesize' }])
    const history = await page.evaluate(() => JSON.parse(localStorage.getItem('sagasu.searchHistory') ?? '[]') as Array<{ q: string }>)
    expect(history.slice(0, 2).map((item) => item.q)).toEqual(['tags.red_hair', 'tags.blue_eyes'])
  })

  it('ranks by a CLIP text', async () => {
    await page.goto(server.url)
    await page.getByTestId('clip-text').locator('input').fill('blue')
    await page.getByTestId('clip-text').locator('input').press('Enter')
    await page.waitForURL((url) => url.searchParams.get('text') === 'blue')
    // The first text query loads CLIP's text model: over a second on a busy machine, past poll's default.
    await expect.poll(() => page.getByTestId('score').count(), { timeout: 30_000 }).toBeGreaterThan(0)
    const scores = (await page.getByTestId('score').allInnerTexts()).map(Number)
    expect([...scores].sort((a, b) => b - a)).toEqual(scores)
  })

  it('completes tag names with counts and categories', async () => {
    await queryInput().fill('')
    await queryInput().pressSequentially('width;>1, tags.lon')
    const list = page.getByTestId('tag-suggestions')
    await list.waitFor()
    const first = list.getByRole('option').first()
    expect(await first.innerText()).toMatch(/long_hair[\s\S]*general[\s\S]*12 images/)
    await queryInput().press('ArrowDown')
    await queryInput().press('Enter')
    await expect.poll(() => queryInput().inputValue()).toBe('width;>1, tags.long_hair')
    await queryInput().press('Enter')
    await page.waitForURL((url) => url.searchParams.get('q') === 'width;>1, tags.long_hair')
    await expect.poll(totalText).toBe('12 images')
  })

  it('shows a bad query\'s error at the position the API reports', async () => {
    const bad = 'tags.red_hair, widht;>3'
    const answer = await fetch(`${server.url}/api/search?q=${encodeURIComponent(bad)}`)
    expect(answer.status).toBe(400)
    const { error } = await answer.json() as { error: { message: string; position: number } }
    await searchFor(bad)
    const shown = page.getByTestId('query-error')
    await shown.waitFor()
    expect(await shown.innerText()).toContain(`At character ${error.position + 1}: ${error.message}`)
    expect(await page.getByTestId('query-error-mark').innerText()).toBe(bad.charAt(error.position))
    expect(await page.getByTestId('query-chip').nth(1).getAttribute('class')).toContain('text-error')
    await expect.poll(() => page.getByTestId('grid-cell').count()).toBe(0)
  })

  it('opens the detail view, refines by a tag (shift-click excludes), and moves between images', async () => {
    await searchFor('tags.red_hair')
    await page.getByTestId('grid-cell').first().click()
    const detail = page.getByTestId('image-detail')
    await detail.waitFor()
    expect(new URL(page.url()).searchParams.get('id')).toMatch(/^\d+$/)
    expect(await detail.locator('[data-tag="red_hair"]').innerText()).toMatch(/red_hair\s*90/)
    await thumbnailsLoaded()
    // Let the dialog's opening transition finish before the picture.
    await page.waitForTimeout(400)
    await screenshot(page, 'detail')
    const title = await page.getByTestId('detail-title').innerText()
    await page.getByTestId('detail-next').click()
    await expect.poll(() => page.getByTestId('detail-title').innerText()).not.toBe(title)
    await page.getByTestId('detail-previous').click()
    await expect.poll(() => page.getByTestId('detail-title').innerText()).toBe(title)
    await detail.locator('[data-tag="long_hair"]').click()
    await page.waitForURL((url) => url.searchParams.get('q') === 'tags.red_hair, tags.long_hair' && !url.searchParams.has('id'))
    await expect.poll(totalText).toBe('12 images')
    await searchFor('tags.blue_eyes')
    await page.getByTestId('grid-cell').first().click()
    await page.locator('[data-testid="image-detail"] [data-tag="blue_eyes"]').click({ modifiers: ['Shift'] })
    await page.waitForURL((url) => url.searchParams.get('q') === 'tags.blue_eyes, !tags.blue_eyes')
    await expect.poll(totalText).toBe('0 images')
  })

  it('moves through the grid with the keyboard and opens with Enter', async () => {
    await searchFor('tags.red_hair')
    await page.getByTestId('grid-cell').first().focus()
    await page.keyboard.press('ArrowRight')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-index'))).toBe('1')
    await page.keyboard.press('Enter')
    await page.getByTestId('image-detail').waitFor()
    const second = await page.getByTestId('grid-cell').nth(1).getAttribute('data-id')
    expect(new URL(page.url()).searchParams.get('id')).toBe(second)
    await page.getByTestId('detail-close').click()
    await page.getByTestId('image-detail').waitFor({ state: 'detached' })
    // Closing went back to the search's own history entry, and the focus to the image's cell.
    expect(new URL(page.url()).searchParams.has('id')).toBe(false)
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-index'))).toBe('1')
    await page.keyboard.press('Enter')
    await page.getByTestId('image-detail').waitFor()
    await page.goBack()
    await page.getByTestId('image-detail').waitFor({ state: 'detached' })
    expect(await queryInput().inputValue()).toBe('tags.red_hair')
  })

  it('finds similar images and other pages of a work', async () => {
    const id = ids.get('555_12345678_p0.png')!
    await page.goto(`${server.url}/?id=${id}`)
    await page.getByTestId('image-detail').waitFor()
    expect(await page.getByTestId('link-pixivArtwork').getAttribute('href')).toBe('https://www.pixiv.net/artworks/12345678')
    expect(await page.getByTestId('link-pixivUser').getAttribute('href')).toBe('https://www.pixiv.net/users/555')
    await page.getByTestId('detail-similar').click()
    await page.waitForURL((url) => url.searchParams.get('q') === `similar:${id}`)
    await expectRankedBySimilarity()
    await page.goto(`${server.url}/?id=${id}`)
    await page.getByTestId('detail-other-pages').click()
    await page.waitForURL((url) => url.searchParams.get('q') === 'illustid;=12345678')
    await expect.poll(totalText).toBe('2 images')
  })

  it('searches by an image dropped on the page', async () => {
    await page.goto(server.url)
    await expect.poll(totalText).toBe(`${PLAIN + 3} images`)
    const bytes = readFileSync(join(library, '555_12345678_p0.png')).toString('base64')
    const transfer = await page.evaluateHandle((base64) => {
      const data = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0))
      const transfer = new DataTransfer()
      transfer.items.add(new File([data], 'query.png', { type: 'image/png' }))
      return transfer
    }, bytes)
    await page.dispatchEvent('body', 'dragover', { dataTransfer: transfer })
    await page.dispatchEvent('body', 'drop', { dataTransfer: transfer })
    await page.getByTestId('image-query').waitFor()
    await expectRankedBySimilarity()
    // Removing it goes back to the plain search.
    await page.getByTestId('image-query').locator('.v-chip__close').click()
    await expect.poll(() => page.getByTestId('score').count()).toBe(0)
  })

  it('loads more results while scrolling, rendering only the rows in view', async () => {
    await page.goto(server.url)
    await expect.poll(totalText).toBe(`${PLAIN + 3} images`)
    const rendered = await page.getByTestId('grid-cell').count()
    expect(rendered).toBeGreaterThan(0)
    expect(rendered).toBeLessThan(100)
    const maxIndex = () => page.$$eval('[data-testid="grid-cell"]', (cells) => Math.max(...cells.map((cell) => Number(cell.getAttribute('data-index')))))
    expect(await maxIndex()).toBeLessThan(100)
    await expect.poll(async () => {
      await page.mouse.wheel(0, 4000)
      return maxIndex()
    }, { timeout: 30_000 }).toBe(PLAIN + 2)
    await thumbnailsLoaded()
    await screenshot(page, 'results')
    expect(await page.getByTestId('grid-cell').count()).toBeLessThan(150)
  })

  it('renders every planted payload as text, runs none, and the page breaks no policy', async () => {
    const id = ids.get(XSS_NAME)!
    await page.goto(`${server.url}/?q=${encodeURIComponent('prompt;masterpiece')}&id=${id}`)
    const detail = page.getByTestId('image-detail')
    await detail.waitFor()
    expect(await page.getByTestId('detail-title').innerText()).toBe(XSS_NAME)
    expect(await page.getByTestId('detail-prompt').innerText()).toBe(XSS_PROMPT)
    expect(await page.getByTestId('detail-ocr').innerText()).toContain(XSS_OCR)
    expect(await detail.locator('[data-testid="tag-chip"]').innerText()).toContain(XSS_TAG)
    await page.getByTestId('detail-close').click()
    await expect.poll(() => page.getByTestId('grid-cell').first().getAttribute('title')).toBe(XSS_NAME)
    // pixiv's caption is HTML: shown as text with its http(s) links only.
    await page.goto(`${server.url}/?id=${ids.get('555_12345678_p0.png')}`)
    const info = page.getByTestId('pixiv-info')
    await info.waitFor()
    expect(await info.innerText()).toContain(XSS_TITLE)
    expect(await info.innerText()).toContain('click')
    expect(await info.locator('a[href^="javascript:"]').count()).toBe(0)
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined()
    expect(await page.locator('img[src="x"], svg[onload]').count()).toBe(0)
    const policy = (await page.request.get(server.url)).headers()['content-security-policy']
    expect(policy).toMatch(/script-src 'self' 'sha256-[^']+'/)
    expect(policy).not.toContain('unsafe')
    // The bad-query test's 400 is logged by Chromium as a failed resource; anything else (a CSP violation) is not expected.
    expect(errors.filter((error) => !/status of 400/.test(error))).toEqual([])
  })
})

describe('search page with the model stages off, on a phone', () => {
  const dir = tempDir('sagasu-browser-off-')
  let server: RunningServer

  beforeAll(async () => {
    for (let i = 0; i < 6; i++) await writeImage(join(dir, 'library', `${i}.png`), { color: colorOf(i), width: 60 + i * 10, height: 50 })
    const config = writeConfig(dir, { dataDir: join(dir, 'data'), folders: [{ name: 'lib', path: join(dir, 'library') }] })
    expect((await runCliJson(['--config', config, 'import'])).code).toBe(0)
    server = await startServer(['--config', config], { env: { SAGASU_WATCH: 'false' }, waitFor: /Listening/ })
  }, 120_000)
  afterAll(() => server?.stop())

  it('hides every similarity control, fits the width and still searches', async () => {
    const { page, errors } = await openPage(browser, { viewport: { width: 390, height: 844 } })
    await page.goto(server.url)
    await expect.poll(() => page.getByTestId('total').innerText()).toBe('6 images')
    expect(await page.getByTestId('clip-text').count()).toBe(0)
    expect(await page.getByTestId('image-button').count()).toBe(0)
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    await page.locator('[data-testid="query-input"] input').fill('width;>=100')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByTestId('total').innerText()).toBe('2 images')
    await page.getByTestId('grid-cell').first().click()
    await page.getByTestId('image-detail').waitFor()
    expect(await page.getByTestId('detail-similar').count()).toBe(0)
    await page.waitForFunction(() => [...document.querySelectorAll('img')].every((img) => img.complete))
    await page.waitForTimeout(400)
    await screenshot(page, 'detail-phone')
    expect(errors).toEqual([])
    await page.context().close()
  })
})
