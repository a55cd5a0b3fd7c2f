import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { ROOT } from './cli'

/** Debian's Chromium; `npm run test:deps` installs it. */
export const CHROMIUM = '/usr/bin/chromium'

/** Flags for a closed network: without the background-networking ones Chromium keeps dialling out. */
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
]

/** Where tests save screenshots (kept as CI artefacts; the best go into the README). */
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots')

/** `extraArgs`: further Chromium flags, such as `--host-resolver-rules=…` for a test that needs a name to resolve to 127.0.0.1. */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, ...extraArgs] })
}

export interface PageOptions {
  locale?: string
  colorScheme?: 'light' | 'dark'
  viewport?: { width: number; height: number }
}

/**
 * A fresh context (own storage) and page that fails the test on any error the page logs:
 * an uncaught exception, a console error, or a Content-Security-Policy violation.
 */
export async function openPage(browser: Browser, options: PageOptions = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    colorScheme: options.colorScheme ?? 'light',
    viewport: options.viewport ?? { width: 1280, height: 800 },
  })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`)
  })
  return { context, page, errors }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage: false })
  return path
}
