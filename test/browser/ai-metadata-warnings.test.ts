import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writePngTextChunks } from '../../workers/ai-metadata/png-chunks'
import { launchBrowser, openPage } from '../helpers/browser'
import { colorOf, tempDir, writeConfig, writeImage } from '../helpers/library'
import { startServer, type RunningServer } from '../helpers/server'

describe('the errors table on the jobs page', () => {
  let server: RunningServer
  let browser: Browser

  beforeAll(async () => {
    const dir = tempDir()
    // A PNG named .jpg whose ComfyUI prompt chunk is cut short: two warnings on one file.
    const path = join(dir, 'lib', 'cut-graph.jpg')
    writeFileSync(path, writePngTextChunks(await writeImage(path, { color: colorOf(1) }), { prompt: '{"3": {"class_type": "KSampler"' }))
    const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', models: { tagger: { enabled: false }, clip: { enabled: false }, ocr: { enabled: false } } })
    server = await startServer(['--config', config], { env: { SAGASU_MODELS: '' } })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('shows a row per record of a file, the AI-metadata warning marked as a warning and naming the generator and field', async () => {
    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto(`${server.url}/jobs`)
      const rows = page.getByTestId('errors').getByRole('row').filter({ hasText: 'cut-graph.jpg' })
      const aiRow = rows.filter({ hasText: 'ai-metadata' })
      await aiRow.waitFor({ timeout: 60_000 })
      expect(await rows.count()).toBe(2)
      expect(await aiRow.innerText()).toContain('comfyui metadata: the prompt text is there but holds no ComfyUI graph that can be read')
      expect(await aiRow.getByTestId('error-warning').innerText()).toBe('warning')
      expect(await rows.filter({ hasText: 'probe' }).getByTestId('error-warning').count()).toBe(1)
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('shows the file\'s warnings in the image detail, as text', async () => {
    const { context, page, errors } = await openPage(browser)
    try {
      const found = await (await fetch(`${server.url}/api/search?q=${encodeURIComponent('filename;="cut-graph.jpg"')}`)).json() as { results: Array<{ id: number }> }
      const id = found.results[0]!.id
      await page.goto(`${server.url}/?id=${id}`)
      const section = page.getByTestId('detail-warnings')
      await section.waitFor({ timeout: 60_000 })
      const text = await section.innerText()
      expect(text).toContain('ai-metadata')
      expect(text).toContain('comfyui metadata: the prompt text is there but holds no ComfyUI graph that can be read')
      expect(text).toContain('probe')
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  })
})
