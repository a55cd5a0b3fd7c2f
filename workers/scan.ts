import { describeFsError } from '../media/fs-error'
import { readdir, realpath, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { FolderConfig } from '../config/schema'
import { isInside, outsideFolderReason } from '../media/contained-file'
import { isImageFilename } from '../media/image-filename'

export interface ScannedFile {
  /** Relative to the folder root, `/`-separated. */
  relPath: string
  absPath: string
  filesize: number
  mtime: number
}

export interface ScanProblem {
  relPath: string
  reason: string
}

export interface FolderScan {
  files: ScannedFile[]
  problems: ScanProblem[]
  /**
   * Relative directories that could not be read. Images indexed under them are kept: a folder that
   * vanished mid-scan or an unmounted drive must not empty the index.
   */
  unreadable: string[]
}

const MAX_DEPTH = 64
const STAT_BATCH = 128
const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Lists the image files of a configured folder with their size and mtime. Follows symbolic links,
 * refusing loops; never throws for one bad entry: it becomes a problem and the walk goes on.
 *
 * @example
 * const { files, problems } = await scanFolder({ name: 'pixiv', path: '/data/pixiv', recursive: true })
 */
export async function scanFolder(folder: FolderConfig): Promise<FolderScan> {
  const result: FolderScan = { files: [], problems: [], unreadable: [] }
  let rootReal: string
  try {
    rootReal = await realpath(folder.path)
    if (!(await stat(rootReal)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' })
  } catch (error) {
    result.problems.push({ relPath: '', reason: `folder "${folder.name}" cannot be read (${folder.path}): ${describeFsError(error)}` })
    result.unreadable.push('')
    return result
  }
  const visited = new Set<string>([rootReal])
  const pending: Array<{ rel: string; depth: number }> = [{ rel: '', depth: 0 }]
  while (pending.length) {
    const { rel, depth } = pending.pop()!
    const dirAbs = rel ? join(folder.path, rel) : folder.path
    let entries: Array<import('node:fs').Dirent<Buffer>>
    try {
      entries = await readdir(dirAbs, { withFileTypes: true, encoding: 'buffer' })
    } catch (error) {
      result.problems.push({ relPath: rel, reason: `directory cannot be read: ${describeFsError(error)}` })
      result.unreadable.push(rel)
      continue
    }
    const candidates: string[] = []
    const linked = new Set<string>()
    for (const entry of entries) {
      const name = decodeName(entry.name)
      if (name === undefined) {
        const shown = entry.name.toString('latin1')
        result.problems.push({ relPath: joinRel(rel, shown), reason: 'the name is not valid UTF-8; rename it to index it' })
        continue
      }
      const childRel = joinRel(rel, name)
      if (entry.isDirectory()) {
        if (folder.recursive) candidates.push(childRel)
      } else if (entry.isFile()) {
        if (isImageFilename(name)) candidates.push(childRel)
      } else if (entry.isSymbolicLink()) {
        if (folder.recursive || isImageFilename(name)) {
          candidates.push(childRel)
          linked.add(childRel)
        }
      }
    }
    // stat follows symlinks, so linked files and folders are seen as what they point to.
    for (let i = 0; i < candidates.length; i += STAT_BATCH) {
      const batch = candidates.slice(i, i + STAT_BATCH)
      const stats = await Promise.allSettled(batch.map((childRel) => stat(join(folder.path, childRel))))
      for (const [k, childRel] of batch.entries()) {
        const info = stats[k]!
        const absPath = join(folder.path, childRel)
        if (info.status === 'rejected') {
          result.problems.push({ relPath: childRel, reason: describeFsError(info.reason) })
          continue
        }
        const entryStat = info.value
        if (linked.has(childRel)) {
          // Only what lies inside the folder can be served from it (/files refuses the rest), so a link
          // out of the folder is reported instead of indexed: add its target as a folder of its own.
          const target = await realpath(absPath).catch(() => undefined)
          if (!target || !isInside(target, rootReal)) {
            result.problems.push({ relPath: childRel, reason: outsideFolderReason(target) })
            continue
          }
        }
        if (entryStat.isDirectory()) {
          if (!folder.recursive) continue
          if (depth + 1 > MAX_DEPTH) {
            result.problems.push({ relPath: childRel, reason: `nested deeper than ${MAX_DEPTH} folders; not scanned` })
            continue
          }
          const real = await realpath(absPath).catch(() => absPath)
          if (visited.has(real)) {
            result.problems.push({ relPath: childRel, reason: 'symbolic link loop (or a second link to a folder already scanned); skipped' })
            continue
          }
          visited.add(real)
          pending.push({ rel: childRel, depth: depth + 1 })
        } else if (entryStat.isFile() && isImageFilename(childRel)) {
          result.files.push({ relPath: childRel, absPath, filesize: entryStat.size, mtime: Math.floor(entryStat.mtimeMs) })
        }
      }
    }
  }
  result.files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0))
  return result
}

/** True when `relPath` lies in (or is) one of the unreadable directories. */
export function isUnderAny(relPath: string, directories: string[]): boolean {
  return directories.some((dir) => dir === '' || relPath === dir || relPath.startsWith(`${dir}/`))
}

function joinRel(parent: string, name: string): string {
  return parent ? `${parent}/${name}` : name
}

function decodeName(raw: Buffer): string | undefined {
  try {
    return utf8.decode(raw)
  } catch {
    return undefined
  }
}

