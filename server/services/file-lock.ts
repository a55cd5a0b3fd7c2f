import { readFile, rm, stat, writeFile } from 'node:fs/promises'

/** The lock is held by another live process and did not come free in time. */
export class LockBusyError extends Error {
  override name = 'LockBusyError'
  constructor(readonly lockFile: string, readonly holder: number) {
    super(`${lockFile} is held by process ${holder}`)
  }
}

export interface FileLockOptions {
  /** How long to wait for a lock another process holds (default: as long as it takes). */
  waitMs?: number
  /** Told once, when the lock is found held and waiting begins. */
  onWait?: (holder: number) => void
  /** Gives up waiting (the work does not run; the signal's reason is thrown). */
  signal?: AbortSignal
}

const POLL_MS = 100

/**
 * Runs `work` holding a lock file between processes of this machine: created exclusively (`wx`) with
 * the holder's pid, removed after. A lock whose process no longer runs (killed) is taken over.
 *
 * @example
 * await withFileLock('/home/me/sagasu.config.yaml.lock', () => writeTheFile(), { waitMs: 10_000 })
 */
export async function withFileLock<T>(lockFile: string, work: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  await acquire(lockFile, options)
  try {
    return await work()
  } finally {
    // Only our own lock: one taken over after ours was judged stale is not ours to remove.
    if ((await holderOf(lockFile)) === process.pid) await rm(lockFile, { force: true }).catch(() => undefined)
  }
}

async function acquire(lockFile: string, options: FileLockOptions): Promise<void> {
  const deadline = Date.now() + (options.waitMs ?? Number.POSITIVE_INFINITY)
  let told = false
  for (;;) {
    options.signal?.throwIfAborted()
    try {
      await writeFile(lockFile, `${process.pid}\n`, { flag: 'wx' })
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = await holderOf(lockFile)
    if (holder === undefined) continue
    if (!(await isHeld(lockFile, holder))) {
      // Left by a process that was killed: no one holds it.
      await rm(lockFile, { force: true })
      continue
    }
    if (Date.now() >= deadline) throw new LockBusyError(lockFile, holder)
    if (!told) {
      told = true
      options.onWait?.(holder)
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

/** The pid in the lock file; undefined when it is gone. A file still being written (empty) reads as pid 0 and counts as held. */
async function holderOf(lockFile: string): Promise<number | undefined> {
  let text: string
  try {
    text = await readFile(lockFile, 'utf8')
  } catch {
    return undefined
  }
  const pid = Number.parseInt(text, 10)
  return Number.isInteger(pid) ? pid : 0
}

/** An empty file is a lock being created, unless it has been empty for seconds (its process died between create and write). */
async function isHeld(lockFile: string, pid: number): Promise<boolean> {
  if (pid !== 0) return isAlive(pid)
  const info = await stat(lockFile).catch(() => undefined)
  return Boolean(info && Date.now() - info.mtimeMs < 5000)
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
