/**
 * A full disk is the machine's fault, not the files': an import onto a thumbnail cache with no
 * space left keeps its files as transient error records and leaves no temporary files, and once
 * space is freed a plain import (no --retry-errors) indexes them. A broken file stays a sticky error.
 * Mounts a small tmpfs over the thumbnail cache (needs root, as in CI).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErrorRecord, ImportCounts, SearchPage } from '../shared/types/api'
import { thumbnailPath } from '../workers/stages/thumbnail.stage'
import { runCliJson } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { fillDisk, mountTmpfs, unmount } from './helpers/tmpfs'

const IMAGES = 6

describe('an import onto a full disk', () => {
  let dir: string
  let config: string
  let thumbs: string
  let skipReason: string | undefined

  beforeAll(async () => {
    dir = tempDir()
    const lib = join(dir, 'lib')
    mkdirSync(lib)
    for (let i = 0; i < IMAGES; i++) await writeImage(join(lib, `image-${i}.png`), { color: colorOf(i) })
    // A file cut short: its failure is the file's own, and stays until it changes.
    const whole = await writeImage(join(dir, 'whole.png'), { color: colorOf(99), width: 200, height: 200 })
    writeFileSync(join(lib, 'broken.png'), whole.subarray(0, Math.floor(whole.length / 2)))
    config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' })
    thumbs = join(dir, 'data', 'thumbs')
    mkdirSync(thumbs, { recursive: true })
    skipReason = mountTmpfs(thumbs, '1m')
  })

  afterAll(() => {
    if (!skipReason) unmount(thumbs)
  })

  const importJson = async () => {
    const { code, body, stderr } = await runCliJson<ImportCounts>(['--config', config, 'import'])
    expect(code, stderr).toBe(0)
    return body
  }
  const errorsJson = async () => (await runCliJson<{ errors: ErrorRecord[] }>(['--config', config, 'errors'])).body.errors

  it('keeps the files as transient errors, leaves no temporary file, and indexes them at the next plain import once space is freed', async (context) => {
    if (skipReason) {
      console.warn(`skipped: ${skipReason}`)
      context.skip()
    }
    const filler = join(thumbs, 'filler')
    fillDisk(filler)

    expect(await importJson()).toMatchObject({ scanned: IMAGES + 1, added: 0, errors: IMAGES + 1 })
    const errors = await errorsJson()
    const broken = errors.find((error) => error.path === 'broken.png')
    expect(broken).toMatchObject({ level: 'error', transient: false })
    const full = errors.filter((error) => error.path !== 'broken.png')
    expect(full).toHaveLength(IMAGES)
    for (const error of full) {
      expect(error).toMatchObject({ stage: 'thumbnail', level: 'error', transient: true })
      expect(error.reason).toMatch(/cannot write the thumbnail .*ENOSPC/)
    }
    expect(temporaryFiles(thumbs)).toEqual([])

    rmSync(filler)
    expect(await importJson()).toMatchObject({ scanned: IMAGES + 1, added: IMAGES, errors: 1 })
    // Only the broken file is left, not read again: its record is the same one.
    expect(await errorsJson()).toEqual([broken])
    const { body: page } = await runCliJson<SearchPage>(['--config', config, 'search', '--limit', '100'])
    expect(page.total).toBe(IMAGES)
    for (const image of page.results) expect(existsSync(thumbnailPath(join(dir, 'data'), image.hash)), image.path).toBe(true)
    expect(temporaryFiles(thumbs)).toEqual([])
  })
})

/** Every `.tmp` file under a folder. */
function temporaryFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.tmp'))
}
