import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../test/helpers/library'
import { outsideFolderReason } from '../media/contained-file'
import { isUnderAny, scanFolder } from './scan'

function tree(files: string[]): string {
  const root = tempDir()
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true })
    writeFileSync(join(root, file), 'x')
  }
  return root
}

describe('scanFolder', () => {
  it('lists image files by extension, case-insensitively, with size and mtime', async () => {
    const root = tree(['a.PNG', 'b.jpeg', 'c.JPG', 'd.gif', 'e.webp', 'f.avif', 'g.bmp', 'h.txt', 'noext', 'sub/i.png', '.hidden/j.png'])
    const scan = await scanFolder({ name: 'lib', path: root, recursive: true })
    expect(scan.files.map((f) => f.relPath)).toEqual(['.hidden/j.png', 'a.PNG', 'b.jpeg', 'c.JPG', 'd.gif', 'e.webp', 'f.avif', 'g.bmp', 'sub/i.png'])
    expect(scan.files[0]).toMatchObject({ filesize: 1, absPath: join(root, '.hidden/j.png') })
    expect(scan.files[0]!.mtime).toBeGreaterThan(0)
    expect(scan.problems).toEqual([])
  })

  it('stays in the top folder when not recursive', async () => {
    const root = tree(['top.png', 'sub/deep.png'])
    const scan = await scanFolder({ name: 'lib', path: root, recursive: false })
    expect(scan.files.map((f) => f.relPath)).toEqual(['top.png'])
  })

  it('reports loops and a second link to a scanned folder once, and does not recurse forever', async () => {
    const root = tree(['a/one.png'])
    symlinkSync(root, join(root, 'a', 'to-root'))
    symlinkSync(join(root, 'a'), join(root, 'again'))
    const scan = await scanFolder({ name: 'lib', path: root, recursive: true })
    expect(scan.files.map((f) => f.relPath)).toEqual(['a/one.png'])
    expect(scan.problems.map((p) => p.relPath).sort()).toEqual(['a/to-root', 'again'])
  })

  it('reports links out of the folder with the reason the import gives, and lists links that stay inside', async () => {
    const outside = tree(['secret.png'])
    const root = tree(['sub/in.png'])
    symlinkSync(join(outside, 'secret.png'), join(root, 'file-out.png'))
    symlinkSync(outside, join(root, 'dir-out'))
    symlinkSync(join(root, 'sub/in.png'), join(root, 'file-in.png'))
    const scan = await scanFolder({ name: 'lib', path: root, recursive: true })
    expect(scan.files.map((f) => f.relPath)).toEqual(['file-in.png', 'sub/in.png'])
    expect(scan.problems.sort((a, b) => a.relPath.localeCompare(b.relPath))).toEqual([
      { relPath: 'dir-out', reason: outsideFolderReason(outside) },
      { relPath: 'file-out.png', reason: outsideFolderReason(join(outside, 'secret.png')) },
    ])
  })

  it('reports a missing folder as unreadable instead of empty', async () => {
    const scan = await scanFolder({ name: 'gone', path: join(tempDir(), 'nope'), recursive: true })
    expect(scan.files).toEqual([])
    expect(scan.unreadable).toEqual([''])
    expect(scan.problems[0]!.reason).toMatch(/folder "gone" cannot be read/)
  })

  it('reports names that are not UTF-8 and still lists the rest', async () => {
    const root = tree(['ok.png'])
    writeFileSync(Buffer.from(`${root}/\xff.png`, 'latin1'), 'x')
    const scan = await scanFolder({ name: 'lib', path: root, recursive: true })
    expect(scan.files.map((f) => f.relPath)).toEqual(['ok.png'])
    expect(scan.problems).toEqual([{ relPath: 'ÿ.png', reason: expect.stringContaining('not valid UTF-8') }])
  })
})

describe('isUnderAny', () => {
  it('matches the directory itself and paths below it, not siblings with the same prefix', () => {
    expect(isUnderAny('sub/a.png', ['sub'])).toBe(true)
    expect(isUnderAny('sub', ['sub'])).toBe(true)
    expect(isUnderAny('subway/a.png', ['sub'])).toBe(false)
    expect(isUnderAny('anything', [''])).toBe(true)
    expect(isUnderAny('a.png', [])).toBe(false)
  })
})
