import { spawn } from 'node:child_process'
import { lstatSync } from 'node:fs'
import { join } from 'node:path'

export interface LinkSwapper {
  stop: () => Promise<void>
}

/**
 * Another process that swaps `<dir>/<name>` between a hard link to `inside` (so it lies in the
 * folder) and a symbolic link to `outside`, each by an atomic rename, up to `count` times: the race
 * a local user runs against a check followed by a read. Resolves once it has swapped in a link.
 */
export async function startLinkSwapper(dir: string, name: string, inside: string, outside: string, count = 1_000_000): Promise<LinkSwapper> {
  const child = spawn(process.execPath, ['-e', `
    const fs = require('node:fs'); const [dir, name, inside, outside, count] = process.argv.slice(1)
    const tmp = dir + '/.' + name + '.swap'
    for (let i = 0; i < Number(count); i++) {
      try { fs.unlinkSync(tmp) } catch {}
      if (i % 2) fs.linkSync(inside, tmp); else fs.symlinkSync(outside, tmp)
      fs.renameSync(tmp, dir + '/' + name)
    }`, dir, name, inside, outside, String(count)], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill()
    await exited
  }
  // A busy machine starts a process slowly: the race begins only once links are coming.
  for (let i = 0; i < 3000; i++) {
    if (child.exitCode !== null) break
    try {
      if (lstatSync(join(dir, name)).isSymbolicLink()) return { stop }
    } catch {
      // Not there yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  await stop()
  throw new Error(`the link swapper did not start swapping ${join(dir, name)}`)
}
