import { existsSync, mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErrorRecord, SearchPage } from '../shared/types/api'
import type { ImageRecord } from '../shared/types/image'
import { hashContent } from '../workers/stages/hash.stage'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { eventually, startServer, type RunningServer } from './helpers/server'

describe('symbolic links made while sagasu serve runs', () => {
  let dir: string
  let lib: string
  let server: RunningServer

  const images = async (): Promise<ImageRecord[]> => ((await (await fetch(`${server.url}/api/search?limit=500`)).json()) as SearchPage).results
  const byName = async (name: string) => (await images()).find((image) => image.filename === name)
  const errorOf = async (path: string) => ((await (await fetch(`${server.url}/api/errors`)).json()) as { errors: ErrorRecord[] }).errors.find((error) => error.path === path)

  beforeAll(async () => {
    dir = tempDir()
    lib = join(dir, 'lib')
    await writeImage(join(lib, 'present-at-start.png'), { color: colorOf(1) })
    mkdirSync(join(dir, 'outside'))
    // A long periodic re-scan, so only filesystem events (the watcher's jobs) can explain what the tests see.
    const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', watch: { debounceMs: 200, rescanMinutes: 60 } })
    server = await startServer(['--config', config])
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('records a link out of the folder as the scan does, and indexes nothing of its target', async () => {
    const outside = await writeImage(join(dir, 'outside/private.png'), { color: colorOf(2) })
    const hash = await hashContent(outside)
    symlinkSync(join(dir, 'outside/private.png'), join(lib, 'link-out.png'))
    const error = await eventually(() => errorOf('link-out.png'), 15_000, 'the error record of the link')
    expect(error).toMatchObject({ folder: 'lib', stage: 'scan', level: 'error' })
    expect(error.reason).toContain('symbolic link leads outside the folder')
    expect(await byName('link-out.png')).toBeUndefined()
    expect(existsSync(join(dir, 'data/thumbs', hash.slice(0, 2), `${hash}.webp`))).toBe(false)
    // Unknown to the index, so a /thumbs miss does not make it either.
    expect((await fetch(`${server.url}/thumbs/${hash}.webp`)).status).toBe(404)
    expect((await fetch(`${server.url}/files/lib/link-out.png`)).status).toBe(403)
  })

  it('does not watch into a linked directory that leads outside the folder', async () => {
    await writeImage(join(dir, 'elsewhere/first.png'), { color: colorOf(4) })
    symlinkSync(join(dir, 'elsewhere'), join(lib, 'dir-out'))
    // Files in the linked directory would be reported with the link's own events; a file written
    // afterwards inside the folder is the point by which they would have been seen.
    await writeImage(join(lib, 'after-link.png'), { color: colorOf(5) })
    await eventually(() => byName('after-link.png'), 15_000, 'the file written after the link')
    await writeImage(join(dir, 'elsewhere/later.png'), { color: colorOf(6) })
    await writeImage(join(lib, 'after-later.png'), { color: colorOf(7) })
    await eventually(() => byName('after-later.png'), 15_000, 'the file written after the outside one')
    const errors = ((await (await fetch(`${server.url}/api/errors`)).json()) as { errors: ErrorRecord[] }).errors
    expect(errors.filter((error) => error.path.startsWith('dir-out/'))).toEqual([])
    expect((await images()).filter((image) => image.path.startsWith('dir-out/'))).toEqual([])
  })

  it('still indexes and serves a link that stays inside the folder', async () => {
    const inside = await writeImage(join(lib, 'sub/target.png'), { color: colorOf(3) })
    await eventually(() => byName('target.png'), 15_000, 'the link target')
    symlinkSync(join(lib, 'sub/target.png'), join(lib, 'link-in.png'))
    const linked = await eventually(() => byName('link-in.png'), 15_000, 'the link inside the folder')
    expect(linked.hash).toBe(await hashContent(inside))
    expect(await errorOf('link-in.png')).toBeUndefined()
    const thumb = await fetch(`${server.url}/thumbs/${linked.hash}.webp`)
    expect(thumb.status).toBe(200)
    const original = await fetch(`${server.url}/files/lib/link-in.png`)
    expect(Buffer.from(await original.arrayBuffer()).equals(inside)).toBe(true)
  })
})
