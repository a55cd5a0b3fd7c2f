import { execFileSync } from 'node:child_process'
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../test/helpers/library'
import { startLinkSwapper } from '../test/helpers/link-swapper'
import { isInside, openContained, type ContainedOpen, type DescriptorCheck } from './contained-file'

/** Closes what was opened, and says what it was. */
async function outcome(opened: ContainedOpen): Promise<string> {
  if (!opened.ok) return opened.reason
  await opened.file.handle.close()
  return `ok:${opened.file.realRelPath}`
}

describe('isInside', () => {
  it('holds the root and what lies below it, nothing else', () => {
    expect(isInside('/a/b', '/a/b')).toBe(true)
    expect(isInside('/a/b/c.png', '/a/b')).toBe(true)
    expect(isInside('/a/bc.png', '/a/b')).toBe(false)
    expect(isInside('/a', '/a/b')).toBe(false)
  })

  it('treats a root of / as holding every absolute path', () => {
    expect(isInside('/tmp/x/a.png', '/')).toBe(true)
    expect(isInside('/', '/')).toBe(true)
  })
})

describe.each<DescriptorCheck>(['proc', 'identity'])('openContained (%s check)', (check) => {
  let root: string
  let lib: string

  beforeAll(() => {
    root = tempDir()
    lib = join(root, 'lib')
    mkdirSync(join(lib, 'sub'), { recursive: true })
    writeFileSync(join(lib, 'sub/ok.png'), 'png')
    writeFileSync(join(root, 'outside.png'), 'secret')
    symlinkSync(join(root, 'outside.png'), join(lib, 'link-out.png'))
    symlinkSync(join(lib, 'sub/ok.png'), join(lib, 'link-in.png'))
    symlinkSync(join(root, 'nowhere.png'), join(lib, 'dangling.png'))
    symlinkSync(root, join(lib, 'dir-out'))
    execFileSync('mkfifo', [join(lib, 'pipe.png')])
  })

  it('opens files inside the root, through links that stay inside, and names their real path', async () => {
    expect(await outcome(await openContained(lib, 'sub/ok.png', { check }))).toBe('ok:sub/ok.png')
    expect(await outcome(await openContained(lib, 'link-in.png', { check }))).toBe('ok:sub/ok.png')
  })

  it('refuses links out of the root, missing files and what is not a regular file', async () => {
    expect(await openContained(lib, 'link-out.png', { check })).toMatchObject({ ok: false, reason: 'outside', target: join(root, 'outside.png') })
    expect(await openContained(lib, 'dir-out/outside.png', { check })).toMatchObject({ ok: false, reason: 'outside' })
    expect(await outcome(await openContained(lib, 'dangling.png', { check }))).toBe('missing')
    expect(await outcome(await openContained(lib, 'nosuch.png', { check }))).toBe('missing')
    expect(await outcome(await openContained(lib, 'sub', { check }))).toBe('not-a-file')
    // A named pipe: opening it must neither hang (no writer ever comes) nor be read.
    expect(await outcome(await openContained(lib, 'pipe.png', { check }))).toBe('not-a-file')
    expect(await outcome(await openContained(join(root, 'no-folder'), 'a.png', { check }))).toBe('missing')
  })

  it('works with / as the root', async () => {
    expect(await outcome(await openContained('/', join(lib, 'sub/ok.png').slice(1), { check }))).toBe(`ok:${join(lib, 'sub/ok.png').slice(1)}`)
  })

  it('never hands out the target of a link swapped in while it opens', { timeout: 180_000 }, async () => {
    const race = join(root, 'race')
    mkdirSync(join(race, 'lib'), { recursive: true })
    const secret = Buffer.from('TOP-SECRET-OUTSIDE')
    const image = Buffer.from('IMAGE-INSIDE-THE-FOLDER')
    writeFileSync(join(race, 'secret.png'), secret)
    writeFileSync(join(race, 'lib/image.png'), image)
    linkSync(join(race, 'lib/image.png'), join(race, 'lib/x.png'))
    const swapper = await startLinkSwapper(join(race, 'lib'), 'x.png', join(race, 'lib/image.png'), join(race, 'secret.png'))
    const seen = { ok: 0, outside: 0, other: 0 }
    try {
      for (let i = 0; i < 3000; i++) {
        const opened = await openContained(join(race, 'lib'), 'x.png', { check })
        if (!opened.ok) {
          seen[opened.reason === 'outside' ? 'outside' : 'other']++
          continue
        }
        try {
          const bytes = await opened.file.handle.readFile()
          expect(bytes.equals(secret)).toBe(false)
          expect(bytes.equals(image)).toBe(true)
          seen.ok++
        } finally {
          await opened.file.handle.close()
        }
      }
    } finally {
      await swapper.stop()
    }
    // Both sides of the race were met, or it proved nothing.
    expect(seen.ok).toBeGreaterThan(0)
    expect(seen.outside).toBeGreaterThan(0)
  })
})
