import { isAbsolute } from 'node:path'
import type { FolderConfig } from '../../config/schema'
import { openContained, type ContainedFile, type DescriptorCheck } from '../../media/contained-file'
import { describeFsError } from '../../media/fs-error'
import { isImageFilename } from '../../media/image-filename'

/** An open, checked file (the caller sends it and closes it), or why there is none. */
export type FileAccess =
  | { ok: true; file: ContainedFile }
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
 * lies outside the folder. Only image files are served. What is checked is the opened descriptor
 * (media/contained-file.ts), which the caller then reads from: swapping the file for a link after
 * the check changes nothing that is sent.
 */
export async function resolveFolderFile(folders: FolderConfig[], folderName: string, rawPath: string, check?: DescriptorCheck): Promise<FileAccess> {
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

  const opened = await openContained(folder.path, path, { check })
  if (opened.ok) return { ok: true, file: opened.file }
  switch (opened.reason) {
    case 'outside': return { ok: false, status: 403, message: 'the file lies outside the folder' }
    case 'unreadable': return { ok: false, status: 403, message: `the file cannot be read: ${describeFsError(opened.error)}` }
    case 'missing':
    case 'not-a-file': return { ok: false, status: 404, message: 'file not found' }
  }
}
