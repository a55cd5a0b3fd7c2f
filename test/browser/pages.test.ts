import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, openPage, screenshot } from '../helpers/browser'
import { colorOf, tempDir, writeConfig, writeImage } from '../helpers/library'
import { startServer, type RunningServer } from '../helpers/server'

/** The visible form controls and buttons, and those a screen reader could not name (none expected). */
async function unnamedControls(page: Page): Promise<{ controls: number; unnamed: string[] }> {
  const controls = page.locator('input:visible, select:visible, textarea:visible, button:visible')
  const unnamed = await controls.evaluateAll((elements) => elements.flatMap((element) => {
    const control = element as HTMLInputElement
    const labelled = (control.labels?.length ?? 0) > 0 || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby') || control.textContent?.trim() || control.title
    return labelled || control.type === 'hidden' ? [] : [control.outerHTML.slice(0, 120)]
  }))
  return { controls: await controls.count(), unnamed }
}

/** Big enough that importing a few hundred of them takes a while: the jobs page has time to show it. */
const IMPORT_FILES = 240

async function openApp(browser: Browser, url: string, options: Parameters<typeof openPage>[1] = {}): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const { context, page, errors } = await openPage(browser, options)
  await page.goto(url)
  return { page, errors, close: () => context.close() }
}

describe('jobs, stats and settings pages in a browser', () => {
  let dir: string
  let configFile: string
  let server: RunningServer
  let browser: Browser

  beforeAll(async () => {
    dir = tempDir()
    for (let index = 0; index < 6; index++) {
      await writeImage(join(dir, 'lib', `4145${index}_8973242${index}_p0.png`), { color: colorOf(index) })
    }
    await writeImage(join(dir, 'lib', 'yande.re 123 frieren.png'), { color: colorOf(7) })
    writeFileSync(join(dir, 'lib', 'broken.png'), 'not an image')
    configFile = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', import: { concurrency: 1 } })
    writeFileSync(configFile, `# my settings\n${readFileSync(configFile, 'utf8')}`)
    server = await startServer(['--config', configFile])
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('shows an import on the jobs page while it runs, then its outcome', async () => {
    const more = join(dir, 'more')
    mkdirSync(more)
    for (let index = 0; index < IMPORT_FILES; index++) {
      await writeImage(join(more, `img-${index}.png`), { color: colorOf(100 + index), width: 1200, height: 900 })
    }
    const { page, errors, close } = await openApp(browser, `${server.url}/jobs`)
    try {
      await page.getByTestId('jobs-live').getByText('Live').waitFor()
      await page.getByLabel('Name').fill('more')
      await page.getByLabel('Path on this machine').fill(more)
      await page.getByRole('button', { name: 'Add and import' }).click()
      await page.getByTestId('add-folder-message').getByText('Folder more added; importing it now.').waitFor()
      const progress = page.getByTestId('import-progress')
      await progress.and(page.locator('[data-state="running"]')).waitFor({ timeout: 30_000 })
      expect(await progress.innerText()).toMatch(/Importing: (indexing|scanning the folders)/)
      await screenshot(page, 'jobs-importing')
      await progress.and(page.locator('[data-state="done"]')).waitFor({ timeout: 120_000 })
      expect(await progress.innerText()).toContain(`${IMPORT_FILES} added`)
      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })

  it('lists failed files with their reasons and retries one', async () => {
    const { page, errors, close } = await openApp(browser, `${server.url}/jobs`)
    try {
      const row = page.getByTestId('errors').getByRole('row').filter({ hasText: 'broken.png' })
      await row.waitFor()
      expect(await row.innerText()).toContain('lib')
      const [retried] = await Promise.all([
        page.waitForResponse((response) => response.url().endsWith('/api/errors/retry')),
        row.getByRole('button', { name: 'Retry broken.png' }).click(),
      ])
      expect(retried.status()).toBe(202)
      await page.getByText('Indexing broken.png again.').waitFor()
      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })

  it('draws the stats charts with text labels', async () => {
    const { page, errors, close } = await openApp(browser, `${server.url}/stats`)
    try {
      const byType = page.getByTestId('chart-by-type').getByRole('img')
      await byType.waitFor()
      expect(await byType.getAttribute('aria-label')).toMatch(/^Images by source: pixiv: 6, Twitter: 0, yande.re: 1, Danbooru: 0, Other: \d+$/)
      expect(await page.getByTestId('chart-by-type').getByTestId('chart-bar').count()).toBe(5)
      // Six pixiv users with one image each (41450 … 41455).
      expect(await page.getByTestId('chart-top-users').getByTestId('chart-bar').count()).toBe(6)
      expect(await page.getByTestId('chart-top-users').getByText('41453', { exact: true }).count()).toBe(1)
      expect(await page.getByTestId('chart-over-time').getByTestId('chart-column').count()).toBeGreaterThan(0)
      expect(await page.getByTestId('stats-totals').innerText()).toContain('Images')
      await screenshot(page, 'stats')
      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })

  it('saves settings to the config file and shows them again after a reload', async () => {
    const { page, errors, close } = await openApp(browser, `${server.url}/settings`)
    try {
      await page.getByTestId('settings-file').waitFor()
      const general = page.getByLabel('General tags')
      await general.fill('0.42')
      await page.getByRole('button', { name: 'Save' }).click()
      await page.getByTestId('settings-result').getByText('Saved.').waitFor()
      const text = readFileSync(configFile, 'utf8')
      expect(text).toContain('general: 0.42')
      expect(text).toContain('# my settings')

      await page.reload()
      await page.getByTestId('settings-file').waitFor()
      expect(await page.getByLabel('General tags').inputValue()).toBe('0.42')
      await screenshot(page, 'settings')
      const settingsControls = await unnamedControls(page)
      expect(settingsControls.controls).toBeGreaterThan(10)
      expect(settingsControls.unnamed).toEqual([])

      // A folder that does not exist: the server's message names it, and the file stays.
      await page.getByRole('button', { name: 'Add a folder' }).click()
      const added = page.getByTestId('settings-folder-2')
      await added.getByLabel('Name').fill('gone')
      await added.getByLabel('Path on this machine').fill('./gone')
      await page.getByRole('button', { name: 'Save' }).click()
      await page.getByTestId('settings-result').getByText(`folders.2.path: ${join(dir, 'gone')} does not exist`).waitFor()
      expect(readFileSync(configFile, 'utf8')).toBe(text)
      expect(errors.filter((error) => !error.includes('400'))).toEqual([])
    } finally {
      await close()
    }
  })

  it('switches to the dark theme and keeps it across a reload', async () => {
    const { page, errors, close } = await openApp(browser, `${server.url}/jobs`)
    try {
      await page.getByTestId('theme-menu').click()
      await page.getByRole('option', { name: 'Dark' }).or(page.getByText('Dark', { exact: true })).first().click()
      await page.locator('.v-application.v-theme--dark').waitFor()
      await page.reload()
      await page.locator('.v-application.v-theme--dark').waitFor()
      await page.getByTestId('file-jobs').waitFor()
      await screenshot(page, 'jobs-dark')
      await page.getByTestId('error-retry').first().waitFor()
      const jobsControls = await unnamedControls(page)
      expect(jobsControls.controls).toBeGreaterThan(8)
      expect(jobsControls.unnamed).toEqual([])
      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })

  it('switches to Japanese and keeps it across a reload', async () => {
    const { page, errors, close } = await openApp(browser, `${server.url}/stats`)
    try {
      await page.getByTestId('language-menu').click()
      await page.getByText('日本語', { exact: true }).click()
      await page.getByRole('heading', { name: '統計' }).waitFor()
      await page.reload()
      await page.getByRole('heading', { name: '統計' }).waitFor()
      await page.getByText('出典別の画像数').first().waitFor()
      expect(await page.locator('html').getAttribute('lang')).toBeDefined()
      await screenshot(page, 'stats-japanese')
      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })

  it('puts the navigation in a drawer at phone width', async () => {
    const { page, errors, close } = await openApp(browser, `${server.url}/stats`, { viewport: { width: 390, height: 844 } })
    try {
      await page.getByTestId('chart-by-type').getByTestId('chart-bar').first().waitFor()
      await screenshot(page, 'stats-phone')
      await page.getByTestId('nav-menu').click()
      await page.getByTestId('nav-drawer').getByText('Settings').click()
      await page.waitForURL('**/settings')
      await page.getByTestId('settings-file').waitFor()
      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })
})

describe('login page', () => {
  let server: RunningServer
  let browser: Browser
  const token = 'correct-horse-battery-staple'

  beforeAll(async () => {
    const dir = tempDir()
    await writeImage(join(dir, 'lib', 'a.png'))
    const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', server: { token } })
    server = await startServer(['--config', config], { token })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('asks for the token, refuses a wrong one and goes back to the page asked for', async () => {
    const { page, errors, close } = await openApp(browser, `${server.url}/stats`)
    try {
      await page.waitForURL('**/login?next=%2Fstats')
      const field = page.getByLabel('Server token')
      await field.fill('wrong-wrong-wrong-wrong')
      await page.getByRole('button', { name: 'Log in' }).click()
      await page.getByText('Wrong token.').waitFor()
      await field.fill(token)
      await page.getByRole('button', { name: 'Log in' }).click()
      await page.waitForURL('**/stats')
      await page.getByTestId('chart-by-type').waitFor()
      // The wrong token's 401 is the only error the page may have logged.
      expect(errors.filter((error) => !error.includes('401'))).toEqual([])
    } finally {
      await close()
    }
  })
})
