import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../test/helpers/library'
import { resolveFolderFile, splitFilesUrl } from './file-access'

describe('splitFilesUrl', () => {
  it('keeps the path encoded and drops the query', () => {
    expect(splitFilesUrl('/files/lib/a%20b/%E3%81%82%3F.png?x=1')).toEqual({ folder: 'lib', path: 'a%20b/%E3%81%82%3F.png' })
    expect(splitFilesUrl('/files/lib')).toBeUndefined()
    expect(splitFilesUrl('/files/%E0%A4%A/x.png')).toBeUndefined()
  })
})

describe('resolveFolderFile', () => {
  let root: string
  let folders: Array<{ name: string; path: string; recursive: boolean }>

  beforeAll(() => {
    root = tempDir()
    mkdirSync(join(root, 'lib/sub'), { recursive: true })
    writeFileSync(join(root, 'lib/sub/ok.png'), 'png')
    writeFileSync(join(root, 'lib/config.yaml'), 'secret')
    writeFileSync(join(root, 'outside.png'), 'secret')
    symlinkSync(join(root, 'outside.png'), join(root, 'lib/link-out.png'))
    symlinkSync(join(root, 'lib/sub/ok.png'), join(root, 'lib/link-in.png'))
    folders = [{ name: 'lib', path: join(root, 'lib'), recursive: true }]
  })

  /** The real path of what was opened (closed again), or the refusal. */
  async function resolved(folderList: typeof folders, folder: string, path: string) {
    const access = await resolveFolderFile(folderList, folder, path)
    if (!access.ok) return access
    await access.file.handle.close()
    return { ok: true, realPath: access.file.realPath, realRelPath: access.file.realRelPath }
  }

  it('serves image files inside the folder, through links that stay inside', async () => {
    expect(await resolved(folders, 'lib', 'sub/ok.png')).toEqual({ ok: true, realPath: join(root, 'lib/sub/ok.png'), realRelPath: 'sub/ok.png' })
    expect(await resolved(folders, 'lib', 'link-in.png')).toEqual({ ok: true, realPath: join(root, 'lib/sub/ok.png'), realRelPath: 'sub/ok.png' })
  })

  it('serves files under a folder configured as / (the root is no special case)', async () => {
    const everything = [{ name: 'all', path: '/', recursive: true }]
    const file = join(root, 'lib/sub/ok.png')
    expect(await resolved(everything, 'all', file.slice(1).split('/').map(encodeURIComponent).join('/'))).toEqual({ ok: true, realPath: file, realRelPath: file.slice(1) })
  })

  it.each([
    ['../outside.png', 400], ['sub/../../outside.png', 400], ['..%2foutside.png', 400], ['%2e%2e/outside.png', 400],
    ['%252e%252e/outside.png', 404], ['/etc/passwd', 400], ['%2Fetc%2Fpasswd', 400], ['sub%5C..%5C..%5Coutside.png', 400],
    ['sub//ok.png', 400], ['%00.png', 400], ['%E0%A4%A.png', 400], ['C:%5Cwindows.png', 400],
    ['link-out.png', 403], ['config.yaml', 404], ['missing.png', 404],
  ])('refuses %s with %i', async (path, status) => {
    expect(await resolved(folders, 'lib', path)).toMatchObject({ ok: false, status })
  })

  it('refuses an unknown folder', async () => {
    expect(await resolved(folders, 'other', 'sub/ok.png')).toMatchObject({ ok: false, status: 404 })
  })
})
