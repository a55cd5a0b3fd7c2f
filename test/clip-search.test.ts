/**
 * CLIP similarity search end to end with the fixture models (real transformers.js, real
 * onnxruntime, the real vector index): text, an image file, an indexed image (`similar:`), a
 * threshold, filters, a sort, paging, and the HTTP forms (query string, JSON with base64, multipart).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportCounts, SearchPage } from '../shared/types/api'
import { ROOT, runCliJson } from './helpers/cli'
import { tempDir, writeConfig, writeImage } from './helpers/library'
import { startServer, type RunningServer } from './helpers/server'
import { writePngTextChunks } from '../workers/ai-metadata/png-chunks'

const MODELS = join(ROOT, 'test/fixtures/models')
const COLOURS: Array<[string, string]> = [['red', '#ff0000'], ['dark_red', '#b00000'], ['green', '#00ff00'], ['blue', '#0000ff'], ['yellow', '#ffff00'], ['white', '#ffffff']]
/** A blue image (a shade off pure blue) whose AI prompt says red: CLIP sees blue, full text finds the word. */
const PROMPTED = 'blue_prompted'
const IMAGES = COLOURS.length + 1

describe('CLIP similarity search', () => {
  const dir = tempDir('sagasu-clip-')
  const library = join(dir, 'library')
  let file: string
  let server: RunningServer
  const ids = new Map<string, number>()

  beforeAll(async () => {
    for (const [name, colour] of COLOURS) await writeImage(join(library, `${name}.png`), { color: colour, width: 64 + name.length })
    const prompted = await writeImage(join(library, `${PROMPTED}.png`), { color: '#2020d8', width: 64 })
    writeFileSync(join(library, `${PROMPTED}.png`), writePngTextChunks(prompted, {
      parameters: 'a red umbrella in the rain\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 64x64, Model: test',
    }, { chunkType: 'tEXt' }))
    file = writeConfig(dir, {
      dataDir: join(dir, 'data'),
      folders: [{ name: 'lib', path: library }],
      models: {
        clip: { path: join(MODELS, 'tiny-clip') },
        tagger: { enabled: false },
        ocr: { enabled: false },
        hubUrl: 'http://127.0.0.1:9',
        hubTimeoutSeconds: 1,
      },
    })
    const imported = await runCliJson<ImportCounts & { stages: Array<{ stage: string; processed: number }> }>(['--config', file, 'import', '--wait'])
    expect(imported.code).toBe(0)
    expect(imported.body.stages).toEqual([expect.objectContaining({ stage: 'embed', processed: IMAGES })])
    const all = await runCliJson<SearchPage>(['--config', file, 'search', '--limit', '100'])
    for (const image of all.body.results) ids.set(image.path.replace('.png', ''), image.id)
    server = await startServer(['--config', file], { env: { SAGASU_MODELS: '', SAGASU_WATCH: 'false' }, waitFor: /Listening/ })
  })
  afterAll(() => server?.stop())

  const search = (args: string[]) => runCliJson<SearchPage>(['--config', file, 'search', ...args])
  const names = (page: SearchPage) => page.results.map((image) => image.path.replace('.png', ''))

  it('ranks by text: each colour word finds its colour first, scores best first', async () => {
    for (const colour of ['red', 'green', 'blue', 'yellow']) {
      const { code, body } = await search(['--text', colour])
      expect(code, colour).toBe(0)
      expect(names(body)[0], colour).toBe(colour)
      const scores = body.results.map((image) => image.score!)
      expect(scores.every((score) => typeof score === 'number')).toBe(true)
      expect([...scores].sort((a, b) => b - a)).toEqual(scores)
    }
  })

  it('keeps to the filter: the best match among the images the query matches', async () => {
    const { body } = await search(['--text', 'red', '--query', 'path;!="red.png"'])
    expect(names(body)).not.toContain('red')
    expect(names(body)[0]).toBe('dark_red')
    expect(body.total).toBe(IMAGES - 1)
  })

  it('ranks by an image file, by an indexed image (similar:), and cuts at a threshold', async () => {
    const byFile = await search(['--image', join(library, 'blue.png')])
    expect(names(byFile.body)[0]).toBe('blue')
    const similar = await search(['--similar', String(ids.get('red'))])
    expect(names(similar.body).slice(0, 2)).toEqual(['red', 'dark_red'])
    // Candidates are re-ranked with the stored float32 vectors: the image's own vector scores 1.
    expect(similar.body.results[0]!.score).toBeCloseTo(1, 4)
    const close = await search(['--query', `similar:${ids.get('red')}, sim;>=0.95`])
    expect(names(close.body).sort()).toEqual(['dark_red', 'red'])
    expect(close.body.total).toBe(2)
  })

  it('merges full-text hits: a prompt with the word lifts its image, every result carries its scores', async () => {
    const { body } = await search(['--text', 'red', '--limit', '100'])
    const byName = new Map(body.results.map((image) => [image.path.replace('.png', ''), image]))
    const prompted = byName.get(PROMPTED)!
    expect(prompted.scores).toEqual({ clip: expect.any(Number), text: 1 })
    expect(prompted.score).toBeCloseTo(prompted.scores!.clip! + 0.1, 6)
    expect(byName.get('blue')!.scores).toEqual({ clip: byName.get('blue')!.score })
    expect(names(body).indexOf(PROMPTED)).toBeLessThan(names(body).indexOf('blue'))
    const scores = body.results.map((image) => image.score!)
    expect([...scores].sort((a, b) => b - a)).toEqual(scores)
    // Half the words found: half the boost.
    const half = await search(['--text', 'red zebra', '--limit', '100'])
    const halfPrompted = half.body.results.find((image) => image.path === `${PROMPTED}.png`)!
    expect(halfPrompted.scores!.text).toBe(0.5)
    // Paged one at a time, the text-only hits come in the same places as in one page.
    const paged: string[] = []
    let cursor: string | null | undefined
    do {
      const page = await search(['--text', 'red', '--limit', '1', ...(cursor ? ['--cursor', cursor] : [])])
      paged.push(...names(page.body))
      cursor = page.body.nextCursor
    } while (cursor)
    expect(paged).toEqual(names(body))
  })

  it('applies a sort when one is given, to the best matches', async () => {
    const { body } = await search(['--text', 'red', '--query', 'sim;>=0.5', '--sort', 'width;1'])
    const widths = body.results.map((image) => image.width)
    expect([...widths].sort((a, b) => a - b)).toEqual(widths)
    expect(names(body)).toContain('red')
  })

  it('pages through the ranking with cursors', async () => {
    const all = await search(['--text', 'yellow', '--limit', '100'])
    const paged: string[] = []
    let cursor: string | null | undefined
    do {
      const page = await search(['--text', 'yellow', '--limit', '2', ...(cursor ? ['--cursor', cursor] : [])])
      paged.push(...names(page.body))
      cursor = page.body.nextCursor
    } while (cursor)
    expect(paged).toEqual(names(all.body))
  })

  it('answers the HTTP forms: text in the query string, base64 and multipart images', async () => {
    const get = await (await fetch(`${server.url}/api/search?text=green&limit=3`)).json() as SearchPage
    expect(names(get)[0]).toBe('green')
    const clause = await (await fetch(`${server.url}/api/search?q=${encodeURIComponent('clip:blue, type;=other')}`)).json() as SearchPage
    expect(names(clause)[0]).toBe('blue')
    const png = readFileSync(join(library, 'yellow.png'))
    const json = await fetch(`${server.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image: png.toString('base64'), limit: 2 }) })
    expect(names(await json.json() as SearchPage)[0]).toBe('yellow')
    const form = new FormData()
    form.append('image', new Blob([png], { type: 'image/png' }), 'query.png')
    form.append('limit', '2')
    const multipart = await fetch(`${server.url}/api/search`, { method: 'POST', body: form })
    expect(multipart.status).toBe(200)
    expect(names(await multipart.json() as SearchPage)[0]).toBe('yellow')
  })

  it('rejects bad input with a 400 that says what is wrong', async () => {
    const cases: Array<[string, RequestInit | undefined, RegExp]> = [
      ['/api/search?q=' + encodeURIComponent('similar:999999'), undefined, /no image with id 999999/],
      ['/api/search?q=' + encodeURIComponent('sim;>0.2'), undefined, /sim; needs something to be similar to/],
      ['/api/search?q=' + encodeURIComponent('tags.a | clip:x'), undefined, /ranks the whole result/],
      ['/api/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image: 'not base64!' }) }, /image: not base64/],
      ['/api/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image: Buffer.from('garbage').toString('base64') }) }, /^image: /],
      ['/api/search?text=', undefined, /text: empty/],
    ]
    for (const [path, init, message] of cases) {
      const response = await fetch(`${server.url}${path}`, init)
      const body = await response.json() as { error: { message: string } }
      expect(response.status, path).toBe(400)
      expect(body.error.message, path).toMatch(message)
    }
  })

  it('refuses a body too large to hold a valid request before reading it', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${server.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(64 * 2 ** 20) } }, (response) => {
        let text = ''
        response.on('data', (chunk: Buffer) => (text += chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
      })
      // The server answers before the body arrives, then drops the connection.
      request.on('error', (error) => (error.message.includes('EPIPE') || error.message.includes('ECONNRESET') ? undefined : reject(error)))
      request.write('{"q": ""')
    })
    expect(status).toBe(413)
    expect(JSON.parse(body).error.message).toMatch(/larger than 28 MiB/)
    // Other routes take small JSON only.
    const batches = await fetch(`${server.url}/api/dataset/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch_size: 1, q: 'x'.repeat(2 ** 20) }) })
    expect(batches.status).toBe(413)
    expect((await batches.json() as { error: { message: string } }).error.message).toMatch(/larger than 1 MiB/)
  })

  it('says why when CLIP is not available', async () => {
    const off = await startServer(['--config', file], { env: { SAGASU_WATCH: 'false' }, waitFor: /Listening/ })
    try {
      const response = await fetch(`${off.url}/api/search?text=red`)
      expect(response.status).toBe(400)
      expect((await response.json() as { error: { message: string } }).error.message).toMatch(/CLIP search is not available: turned off/)
    } finally {
      await off.stop()
    }
  })
})
