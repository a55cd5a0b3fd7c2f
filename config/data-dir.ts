import { mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { ConfigError } from './load-config'

/**
 * Creates the data directory (and missing parents) or throws a ConfigError that names it.
 * Not `mkdirSync(…, { recursive: true })`: on Node 20 that spins forever on paths such as
 * /proc/x, where mkdir fails with ENOENT although the parent exists.
 */
export function ensureDataDir(path: string): void {
  const target = resolve(path)
  const missing: string[] = []
  let current = target
  for (;;) {
    try {
      if (!statSync(current).isDirectory()) throw new ConfigError(`dataDir ${target}: ${current} exists and is not a folder`)
      break
    } catch (error) {
      if (error instanceof ConfigError) throw error
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`dataDir ${target}: cannot use ${current}: ${(error as Error).message}`)
      missing.push(current)
      const parent = dirname(current)
      if (parent === current) break
      current = parent
    }
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue
      throw new ConfigError(`dataDir ${target}: cannot create ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    }
  }
}
