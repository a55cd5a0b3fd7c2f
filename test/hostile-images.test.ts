/**
 * Hostile images (issue 18, item 5): an SVG that names a local file — sent as a query image, put in
 * a library under an image name, or handed to the CLIP stage through `search --image` — is refused
 * by its magic bytes and the file it names is never opened. The named file is a FIFO
 * (test/helpers/fifo.ts): a decoder that opened it would be caught. Real CLIP fixture model, real
 * CLI and server processes.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportCounts } from '../shared/types/api'
import { ROOT, runCli, runCliJson } from './helpers/cli'
import { makeFifo, neverOpens, svgNaming } from './helpers/fifo'
import { tempDir, writeConfig, writeImage } from './helpers/library'
import { startServer, type RunningServer } from './helpers/server'

const MODELS = join(ROOT, 'test/fixtures/models')
const SVG_400 = 'image: an SVG document; send a PNG, JPEG, GIF, WebP, AVIF or BMP file'

interface ErrorRecord { path: string; stage: string; reason: string }

describe('hostile images', () => {
  const dir = tempDir('sagasu-hostile-images-')
  const library = join(dir, 'library')
  const fifo = join(library, 'secret')
  let file: string
  let server: RunningServer
  let svg: Buffer

  const neverOpensTheFifo = <T>(action: () => Promise<T>) => neverOpens(fifo, action)

  beforeAll(async () => {
    await writeImage(join(library, 'real.png'), { color: '#00ff00' })
    makeFifo(fifo)
    svg = svgNaming(fifo)
    writeFileSync(join(library, 'drawing.png'), svg)
    writeFileSync(join(library, 'scan.jpg'), Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n'))
    writeFileSync(join(library, 'data.webp'), Buffer.from(`<?xml version="1.0"?>\n<doc xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file://${fifo}" parse="text"/></doc>\n`))
    file = writeConfig(dir, {
      dataDir: join(dir, 'data'),
      folders: [{ name: 'lib', path: library }],
      models: { clip: { path: join(MODELS, 'tiny-clip') }, tagger: { enabled: false }, ocr: { enabled: false }, hubUrl: 'http://127.0.0.1:9', hubTimeoutSeconds: 1 },
    })
  })
  afterAll(() => server?.stop())

  it('import: files named as images that hold SVG, PDF or XML become error records naming what they are', async () => {
    const imported = await neverOpensTheFifo(() => runCliJson<ImportCounts>(['--config', file, 'import', '--wait']))
    expect(imported.code).toBe(0)
    const { body } = await runCliJson<{ errors: ErrorRecord[] }>(['--config', file, 'errors'])
    const reasons = Object.fromEntries(body.errors.map((error) => [error.path, `${error.stage}: ${error.reason}`]))
    expect(reasons).toEqual({
      'drawing.png': 'probe: not a supported image: the content is an SVG document; Sagasu reads PNG, JPEG, GIF, WebP, AVIF and BMP',
      'scan.jpg': 'probe: not a supported image: the content is a PDF document; Sagasu reads PNG, JPEG, GIF, WebP, AVIF and BMP',
      'data.webp': 'probe: not a supported image: the content is an XML document; Sagasu reads PNG, JPEG, GIF, WebP, AVIF and BMP',
    })
    const all = await runCliJson<{ total: number }>(['--config', file, 'search'])
    expect(all.body.total).toBe(1)
  })

  it('query image over HTTP: an SVG (base64 or multipart) is a 400 naming SVG, with CLIP on', async () => {
    server = await startServer(['--config', file], { env: { SAGASU_MODELS: '', SAGASU_WATCH: 'false' }, waitFor: /Listening/ })
    const health = await (await fetch(`${server.url}/api/health`)).json() as { capabilities: { clip?: boolean } }
    expect(health.capabilities.clip).toBe(true)
    await neverOpensTheFifo(async () => {
      const json = await fetch(`${server.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image: svg.toString('base64') }) })
      expect(json.status).toBe(400)
      expect((await json.json() as { error: { message: string } }).error.message).toBe(SVG_400)
      const dataUrl = await fetch(`${server.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image: `data:image/png;base64,${svg.toString('base64')}` }) })
      expect(dataUrl.status).toBe(400)
      const form = new FormData()
      form.append('image', new Blob([new Uint8Array(svg)], { type: 'image/png' }), 'query.png')
      const multipart = await fetch(`${server.url}/api/search`, { method: 'POST', body: form })
      expect(multipart.status).toBe(400)
      expect((await multipart.json() as { error: { message: string } }).error.message).toBe(SVG_400)
      const pdf = new FormData()
      pdf.append('image', new Blob([Buffer.from('%PDF-1.7\n')]), 'query.png')
      const pdfAnswer = await fetch(`${server.url}/api/search`, { method: 'POST', body: pdf })
      expect((await pdfAnswer.json() as { error: { message: string } }).error.message).toBe('image: a PDF document; send a PNG, JPEG, GIF, WebP, AVIF or BMP file')
    })
    // A real image still ranks.
    const png = await writeImage(join(dir, 'query.png'), { color: '#00ff00' })
    const ok = await fetch(`${server.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image: png.toString('base64') }) })
    expect(ok.status).toBe(200)
    expect((await ok.json() as { results: Array<{ path: string }> }).results.map((image) => image.path)).toEqual(['real.png'])
  })

  it('query image through the CLI and the CLIP stage: refused before decoding, exit 2', async () => {
    const result = await neverOpensTheFifo(() => runCli(['--config', file, 'search', '--image', join(library, 'drawing.png')], { env: { SAGASU_MODELS: '' } }))
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(SVG_400)
  })
})
