// Screenshots of the main pages for the README, taken in headless Chromium against a running server.
// Usage: node bin/run-ts.mjs scripts/screenshots.ts http://127.0.0.1:3000 [OUT_DIR]
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

const [url = 'http://127.0.0.1:3000', out = 'docs/images'] = process.argv.slice(2)
mkdirSync(out, { recursive: true })
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' })
  await page.goto(url)
  await page.locator('.image-grid__cell img').first().waitFor()
  await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.image-grid__cell img')].slice(0, 24).every((img) => img.complete))
  await page.screenshot({ path: join(out, 'gallery.png') })
  await page.locator('.image-grid__cell').nth(2).click()
  await page.locator('.v-dialog .v-card').waitFor()
  await page.waitForTimeout(500)
  await page.screenshot({ path: join(out, 'detail.png') })
  process.stdout.write(`wrote ${join(out, 'gallery.png')} and ${join(out, 'detail.png')}\n`)
} finally {
  await browser.close()
}
