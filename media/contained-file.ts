import { constants, type Stats } from 'node:fs'
import { lstat, open, readFile, readlink, realpath, type FileHandle } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

/**
 * The containment rule of the whole product: a path is inside a root when it is the root or lies
 * below it. Both are real paths (no links). A root of `/` holds every absolute path.
 */
export function isInside(path: string, root: string): boolean {
  if (path === root) return true
  return path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)
}

/** The reason the scan and the import both give for a link out of its folder. */
export function outsideFolderReason(target: string | undefined): string {
  return `symbolic link leads outside the folder (to ${target ?? 'nowhere'}); add its target as a folder to index it`
}

/** A regular file opened inside a root; the caller reads it through `handle` and must close it. */
export interface ContainedFile {
  handle: FileHandle
  /** What the descriptor was checked to be: the real path of the opened file. */
  realPath: string
  /** `realPath` relative to the root's real path, `/`-separated. */
  realRelPath: string
  /** fstat of the descriptor. */
  info: Stats
}

export type ContainedRefusal =
  | { ok: false; reason: 'missing'; error?: unknown }
  | { ok: false; reason: 'outside'; target: string }
  | { ok: false; reason: 'not-a-file' }
  | { ok: false; reason: 'unreadable'; error: unknown }

export type ContainedOpen = { ok: true; file: ContainedFile } | ContainedRefusal

/**
 * How to learn what an open descriptor is. `proc` reads the kernel's own answer
 * (`/proc/self/fd/N`, Linux): the path the file was really reached by, which no later swap
 * changes. `identity`, the fallback where there is no /proc, resolves the name again and requires
 * the entry found there to be the descriptor's device and inode (the open descriptor keeps its
 * inode alive, so the number cannot be reused meanwhile). That stops a file swapped for a link, but
 * a directory swapped for a link and back at the right moments can still pass it: no name-based
 * check can be atomic, which is why Linux takes `proc`. `auto` takes `proc` where it exists.
 */
export type DescriptorCheck = 'auto' | 'proc' | 'identity'

// O_NONBLOCK: opening a FIFO (a named pipe saved as x.png) would otherwise wait for a writer and
// hold a thread of libuv's pool for good. It changes nothing for a regular file.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0)

/**
 * Opens `relPath` under `root` and checks the OPENED file, not the name: the descriptor must be a
 * regular file whose real path lies inside the root's real path. Checking a name and then opening
 * it again is a race a local user wins by swapping a file for a symbolic link in between; reading
 * only from this descriptor closes it. Refusals close the descriptor; on success the caller owns it.
 *
 * @example
 * const opened = await openContained('/data/pixiv', 'sub/x.png')
 * if (opened.ok) try { await opened.file.handle.readFile() } finally { await opened.file.handle.close() }
 */
export async function openContained(root: string, relPath: string, options: { check?: DescriptorCheck } = {}): Promise<ContainedOpen> {
  let rootReal: string
  try {
    rootReal = await realpath(root)
  } catch (error) {
    return refusalFor(error)
  }
  const absPath = join(root, relPath)
  let handle: FileHandle
  try {
    handle = await open(absPath, OPEN_FLAGS)
  } catch (error) {
    return refusalFor(error)
  }
  try {
    const info = await handle.stat()
    const realPath = await descriptorPath(handle, info, absPath, options.check ?? 'auto')
    // Gone (deleted, or replaced by another file) between the open and the check: a missing file, not an error.
    if (realPath === undefined) return await refuse(handle, { ok: false, reason: 'missing' })
    if (!isInside(realPath, rootReal)) return await refuse(handle, { ok: false, reason: 'outside', target: realPath })
    if (!info.isFile()) return await refuse(handle, { ok: false, reason: 'not-a-file' })
    const realRelPath = realPath === rootReal ? '' : realPath.slice(rootReal.endsWith(sep) ? rootReal.length : rootReal.length + 1).split(sep).join('/')
    return { ok: true, file: { handle, realPath, realRelPath, info } }
  } catch (error) {
    return await refuse(handle, refusalFor(error))
  }
}

let procWorks: boolean | undefined

async function descriptorPath(handle: FileHandle, info: Stats, absPath: string, check: DescriptorCheck): Promise<string | undefined> {
  if (check === 'proc' || (check === 'auto' && procWorks !== false)) {
    try {
      const path = await readlink(`/proc/self/fd/${handle.fd}`)
      procWorks = true
      // An unlinked file reads as "<path> (deleted)"; it has no name left to be inside anything.
      return info.nlink === 0 || !path.startsWith(sep) ? undefined : path
    } catch (error) {
      if (check === 'proc') throw error
      procWorks = false
    }
  }
  const path = await realpath(absPath).catch(() => undefined)
  if (path === undefined) return undefined
  // lstat, not stat: a link swapped in after realpath must not lead back to the opened inode.
  const now = await lstat(path).catch(() => undefined)
  return now && now.dev === info.dev && now.ino === info.ino ? path : undefined
}

async function refuse(handle: FileHandle, refusal: ContainedRefusal): Promise<ContainedRefusal> {
  await handle.close().catch(() => undefined)
  return refusal
}

function refusalFor(error: unknown): ContainedRefusal {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', error }
  // open() of a socket; a device that is not there.
  if (code === 'ENXIO' || code === 'ENODEV') return { ok: false, reason: 'not-a-file' }
  return { ok: false, reason: 'unreadable', error }
}

/**
 * The bytes of a file that must lie inside `root` (a model stage reading an indexed original, which
 * a local user may have swapped for a link since the import checked it), read through the checked
 * descriptor; without a root (a query image the server wrote itself), the file as named.
 */
export async function readFileInside(absPath: string, root: string | undefined): Promise<Buffer> {
  if (root === undefined) return readFile(absPath)
  const opened = await openContained(root, relative(root, absPath))
  if (!opened.ok) throw refusalError(opened, absPath)
  try {
    return await opened.file.handle.readFile()
  } finally {
    await opened.file.handle.close()
  }
}

function refusalError(refusal: ContainedRefusal, absPath: string): Error {
  if (refusal.reason === 'outside') return new Error(outsideFolderReason(refusal.target))
  if (refusal.reason === 'not-a-file') return new Error('not a regular file')
  // ENOENT keeps its code, so callers can say "the file no longer exists".
  if (refusal.error instanceof Error) return refusal.error
  return Object.assign(new Error(`ENOENT: no such file, open '${absPath}'`), { code: 'ENOENT' })
}
