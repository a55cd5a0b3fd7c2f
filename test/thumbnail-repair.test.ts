import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportCounts, SearchPage } from '../shared/types/api'
import { runCliJson } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { startServer, type RunningServer } from './helpers/server'

/** The thumbnails in the cache, as `<2 hex>/<hash>.webp`. */
function thumbnails(dataDir: string): string[] {
  const root = join(dataDir, 'thumbs')
  if (!existsSync(root)) return []
  return readdirSync(root).flatMap((prefix) => readdirSync(join(root, prefix)).map((name) => `${prefix}/${name}`)).sort()
}

describe('thumbnails deleted from the cache come back', () => {
  let dir: string
  let config: string
  let data: string
  let all: string[]

  const runImport = async (...args: string[]) => {
    const { code, body, stderr } = await runCliJson<ImportCounts>(['--config', config, 'import', ...args])
    expect(code, stderr).toBe(0)
    return body
  }

  beforeAll(async () => {
    dir = tempDir()
    data = join(dir, 'data')
    for (let i = 0; i < 4; i++) await writeImage(join(dir, 'lib', `sub/${i}.png`), { color: colorOf(i) })
    config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' })
    expect(await runImport()).toMatchObject({ added: 4 })
    all = thumbnails(data)
    expect(all).toHaveLength(4)
  })

  it('by the next import, which leaves the unchanged files alone otherwise', async () => {
    rmSync(join(data, 'thumbs'), { recursive: true })
    expect(await runImport()).toMatchObject({ unchanged: 4, added: 0, updated: 0, errors: 0 })
    expect(thumbnails(data)).toEqual(all)
    rmSync(join(data, 'thumbs', all[1]!))
    expect(await runImport('--retry-errors')).toMatchObject({ unchanged: 4, errors: 0 })
    expect(thumbnails(data)).toEqual(all)
  })

  describe('by a /thumbs request that misses', () => {
    let server: RunningServer

    beforeAll(async () => {
      // No import at start: only the request can make the thumbnail again.
      server = await startServer(['--config', config], { env: { SAGASU_WATCH: 'false' }, waitFor: /Listening/ })
    })

    afterAll(async () => {
      await server?.stop()
    })

    it('re-creates the thumbnail of a known hash from the original and sends it', async () => {
      const page = (await (await fetch(`${server.url}/api/search?limit=10`)).json()) as SearchPage
      const hash = page.results[0]!.hash
      const file = join(data, 'thumbs', hash.slice(0, 2), `${hash}.webp`)
      rmSync(file)
      const answer = await fetch(`${server.url}/thumbs/${hash}.webp`)
      expect(answer.status).toBe(200)
      expect(answer.headers.get('content-type')).toBe('image/webp')
      expect(Buffer.from(await answer.arrayBuffer()).subarray(8, 12).toString()).toBe('WEBP')
      expect(existsSync(file)).toBe(true)

      rmSync(join(data, 'thumbs'), { recursive: true })
      const answers = await Promise.all(page.results.map((image) => fetch(`${server.url}/thumbs/${image.hash}`)))
      expect(answers.map((response) => response.status)).toEqual(page.results.map(() => 200))
      expect(thumbnails(data)).toEqual(all)
    })

    it('keeps a hash the index does not know a 404', async () => {
      const answer = await fetch(`${server.url}/thumbs/0123456789abcdef.webp`)
      expect(answer.status).toBe(404)
      expect(((await answer.json()) as { error: { message: string } }).error.message).toContain('no thumbnail')
      expect(existsSync(join(data, 'thumbs', '01'))).toBe(false)
    })
  })
})
