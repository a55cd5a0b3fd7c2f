/**
 * Issue 18, item 7: a clause of ~1,000 comparisons once made SQLite fail ("Expression tree is too
 * large") and six routes answer 500. Every route that takes a query now answers 400 naming the
 * limit and where, and the server still answers afterwards. (The generated queries at and past
 * every cap run in server/store/embedded/query-limits.test.ts.)
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { startServer, type RunningServer } from './helpers/server'

/** The clause: 1,000 comparisons. */
const CLAUSE = `width;${Array.from({ length: 1000 }, () => '>1').join('&')}`
const EXPECTED = { message: 'more than 16 comparisons in one clause', position: 'width;'.length + 16 * 3, hint: expect.stringContaining('&') }

describe('a clause past the caps on every route that takes a query', () => {
  let server: RunningServer

  beforeAll(async () => {
    const dir = tempDir()
    for (let i = 0; i < 3; i++) await writeImage(join(dir, 'lib', `${i}.png`), { color: colorOf(i) })
    server = await startServer(['--config', writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' })])
  })
  afterAll(() => server?.stop())

  it('answers 400 with the limit, the position and a hint on all six routes', async () => {
    const q = encodeURIComponent(CLAUSE)
    const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const routes: Array<[string, RequestInit | undefined]> = [
      [`/api/search?q=${q}`, undefined],
      ['/api/search', json({ q: CLAUSE })],
      [`/api/search/explain?q=${q}`, undefined],
      [`/api/dataset/images?q=${q}`, undefined],
      [`/api/dataset/images/random?q=${q}`, undefined],
      ['/api/dataset/batches', json({ q: CLAUSE, batch_size: 2 })],
    ]
    for (const [path, init] of routes) {
      const response = await fetch(`${server.url}${path}`, init)
      const body = await response.json() as { error: unknown }
      expect(response.status, `${init?.method ?? 'GET'} ${path.slice(0, 40)}`).toBe(400)
      expect(body.error, path.slice(0, 40)).toEqual(EXPECTED)
    }
    // Within the caps the same routes answer.
    const fine = encodeURIComponent(`width;${Array.from({ length: 16 }, () => '>1').join('&')}`)
    for (const path of [`/api/search?q=${fine}`, `/api/search/explain?q=${fine}`, `/api/dataset/images?q=${fine}`, `/api/dataset/images/random?q=${fine}`]) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(200)
    }
  })
})
