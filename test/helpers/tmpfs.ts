import { execFileSync } from 'node:child_process'
import { openSync, closeSync, writeSync } from 'node:fs'

/**
 * Mounts a tmpfs of `size` (mount's syntax: `1m`, `8m`) on an existing folder. Returns why it could
 * not (not root, no mount permission in this container), for the test to print with its skip.
 */
export function mountTmpfs(folder: string, size: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'sagasu-test', folder], { stdio: ['ignore', 'pipe', 'pipe'] })
    return undefined
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim()
    return `cannot mount a tmpfs on ${folder} (${stderr || (error as Error).message}); this test needs root`
  }
}

/** Unmounts it; lazily, so a process that still holds a file there does not leave the mount behind. */
export function unmount(folder: string): void {
  execFileSync('umount', ['-l', folder], { stdio: 'ignore' })
}

/** Writes zeros to `file` until the filesystem holding it says it is full (ENOSPC). */
export function fillDisk(file: string): void {
  const fd = openSync(file, 'w')
  const chunk = Buffer.alloc(64 * 1024)
  try {
    // Bounded: a 64 GiB filesystem at most, far above the test mounts' sizes.
    for (let i = 0; i < 1_000_000; i++) writeSync(fd, chunk)
    throw new Error(`${file}: the filesystem never filled up`)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
  } finally {
    closeSync(fd)
  }
  // A partial block may still take a few bytes; fill it too.
  const tail = openSync(file, 'a')
  try {
    for (let i = 0; i < 4096; i++) writeSync(tail, Buffer.alloc(1))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
  } finally {
    closeSync(tail)
  }
}
