import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const BOOTSTRAP = 'workers/live-library-thread.mjs'
const ENTRY = 'workers/live-library-thread.ts'

/** The files that start the live library's thread. */
export interface LiveLibraryThreadFiles {
  /** A plain ES module that registers tsx, then loads `entry`. */
  bootstrap: string
  entry: string
}

/**
 * Finds the thread's files in the Sagasu checkout. The built server (`.output/server/…`) is a rollup
 * bundle, but the thread runs the TypeScript sources through tsx like the CLI does, so it needs the
 * checkout the server was built from (the Docker image keeps it): `SAGASU_ROOT` when set (`sagasu
 * serve` sets it), else the folders above this module's file (in the bundle, Nitro's stand-in for it
 * may be `/`) and above the started script (`bin/sagasu.mjs`, `.output/server/index.mjs`). Throws,
 * naming what it tried, when none holds them.
 */
export function liveLibraryThreadFiles(): LiveLibraryThreadFiles {
  const tried: string[] = []
  const candidates = [
    ...(process.env.SAGASU_ROOT ? [resolve(process.env.SAGASU_ROOT)] : []),
    ...ancestors(dirname(fileURLToPath(import.meta.url))),
    ...(process.argv[1] ? ancestors(dirname(resolve(process.argv[1]))) : []),
  ]
  for (const root of new Set(candidates)) {
    tried.push(root)
    if (existsSync(join(root, BOOTSTRAP)) && existsSync(join(root, ENTRY)) && existsSync(join(root, 'node_modules/tsx'))) {
      return { bootstrap: join(root, BOOTSTRAP), entry: join(root, ENTRY) }
    }
  }
  throw new Error(`cannot start the live library: ${ENTRY} with node_modules/tsx was not found in ${tried.join(', ')}; run the server from a Sagasu checkout (node bin/sagasu.mjs serve) or set SAGASU_ROOT to it`)
}

/** `dir` and up to four folders above it. */
function ancestors(dir: string): string[] {
  const found = [dir]
  for (let i = 0; i < 4; i++) {
    const parent = dirname(found.at(-1)!)
    if (parent === found.at(-1)) break
    found.push(parent)
  }
  return found
}
