import { realpath, stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { isAbsolute, join, sep } from 'node:path'
import type { FolderConfig } from '../../config/schema'
import { isImageFilename } from '../../workers/stage'

export type FileAccess =
  | { ok: true; absPath: string; info: Stats }
  | { ok: false; status: 400 | 403 | 404; message: string }

/** `/files/<folder>/<path>?query` → the still-encoded folder name and path. */
export function splitFilesUrl(rawUrl: string): { folder: string; path: string } | undefined {
  const match = /^\/files\/([^/?]+)\/([^?]*)/.exec(rawUrl)
  if (!match) return undefined
  let folder: string
  try {
    folder = decodeURIComponent(match[1]!)
  } catch {
    return undefined
  }
  return { folder, path: match[2]! }
}

/**
 * Maps `/files/:folder/<path>` to a file on disk, refusing anything outside the configured folder:
 * `..` segments, absolute paths, backslashes, NUL bytes, malformed or double percent-encoding
 * (decoded exactly once, so `%252e%252e` stays a literal name), and symbolic links whose target
 * lies outside the folder. Only image files are served.
 */
export async function resolveFolderFile(folders: FolderConfig[], folderName: string, rawPath: string): Promise<FileAccess> {
  const folder = folders.find((f) => f.name === folderName)
  if (!folder) return { ok: false, status: 404, message: `no configured folder named "${folderName}"` }
  let path: string
  try {
    path = decodeURIComponent(rawPath)
  } catch {
    return { ok: false, status: 400, message: 'malformed percent-encoding in the path' }
  }
  if (!path || path.includes('\0') || path.includes('\\') || isAbsolute(path) || /^[A-Za-z]:/.test(path)) {
    return { ok: false, status: 400, message: 'the path must be relative to the folder' }
  }
  if (path.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')) {
    return { ok: false, status: 400, message: 'the path may not contain "..", "." or empty segments' }
  }
  if (!isImageFilename(path)) return { ok: false, status: 404, message: 'only image files are served' }

  let rootReal: string
  let fileReal: string
  try {
    rootReal = await realpath(folder.path)
    fileReal = await realpath(join(folder.path, path))
  } catch {
    return { ok: false, status: 404, message: 'file not found' }
  }
  if (!fileReal.startsWith(rootReal + sep)) return { ok: false, status: 403, message: 'the file lies outside the folder' }
  const info = await stat(fileReal).catch(() => undefined)
  if (!info?.isFile()) return { ok: false, status: 404, message: 'file not found' }
  return { ok: true, absPath: fileReal, info }
}
