import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findPython } from './python'

/**
 * The Milvus test server: PyPI's `milvus` package, an embedded Milvus 2.3 standalone (etcd,
 * RocksMQ and local storage in one process) behind its `milvus-server` command. It installs from
 * PyPI alone: the wheel carries the server binary, so nothing is fetched at run time. The same
 * minor version as docker-compose's milvusdb/milvus and the Node SDK (2.3.x).
 */
export const MILVUS_PACKAGE = { name: 'milvus', version: '2.3.5' } as const

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The venv the package lives in, inside the repository's (git-ignored) cache. */
export const MILVUS_VENV = join(ROOT, '.cache', 'test-servers', 'milvus-venv')

/** The server command the tests start. */
export const MILVUS_SERVER_BIN = join(MILVUS_VENV, 'bin', 'milvus-server')

/** Whether the pinned version is installed in the venv. */
export function milvusInstalled(): boolean {
  if (!existsSync(MILVUS_SERVER_BIN)) return false
  try {
    const shown = execFileSync(join(MILVUS_VENV, 'bin', 'pip'), ['show', MILVUS_PACKAGE.name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    return new RegExp(`^Version: ${MILVUS_PACKAGE.version.replaceAll('.', '\\.')}$`, 'm').test(shown)
  } catch {
    return false
  }
}

/** Creates the venv and pip-installs the pinned package; a no-op when it is there. */
export function installMilvus(log: (line: string) => void): void {
  const pinned = `${MILVUS_PACKAGE.name}==${MILVUS_PACKAGE.version}`
  if (milvusInstalled()) {
    log(`milvus: ${pinned} is installed in ${MILVUS_VENV}`)
    return
  }
  log(`milvus: installing ${pinned} into ${MILVUS_VENV}, for the servers-profile vector tests`)
  mkdirSync(dirname(MILVUS_VENV), { recursive: true })
  if (!existsSync(join(MILVUS_VENV, 'bin', 'pip'))) execFileSync(findPython('the Milvus test server'), ['-m', 'venv', MILVUS_VENV], { stdio: 'inherit' })
  execFileSync(join(MILVUS_VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', pinned], { stdio: 'inherit' })
  if (!milvusInstalled()) throw new Error(`pip installed ${pinned} but ${MILVUS_SERVER_BIN} is missing`)
}
