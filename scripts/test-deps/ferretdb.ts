import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The FerretDB release the servers-profile tests speak the MongoDB wire protocol to (SQLite backend). */
export const FERRETDB_VERSION = 'v1.24.2'
const MODULE = 'github.com/FerretDB/FerretDB'

/** Where the test servers' binaries go: `<repo>/.cache/test-servers/bin` (git-ignored). */
export const TEST_SERVERS_BIN = fileURLToPath(new URL('../../.cache/test-servers/bin/', import.meta.url))
export const FERRETDB_BIN = join(TEST_SERVERS_BIN, 'ferretdb')

/** The `go` command: on PATH, else where the official tarball puts it. */
export function findGo(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'go'))) return join(dir, 'go')
  }
  if (existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go'
  throw new Error('test-deps: Go is needed to build FerretDB for the servers-profile tests; install it (https://go.dev/dl) or put `go` on PATH')
}

/**
 * Builds FerretDB from its Go module into TEST_SERVERS_BIN; a no-op when the binary is there.
 *
 * Not `go install …/cmd/ferretdb@v1.24.2`, for two reasons found here: `go install pkg@version`
 * asks the module proxy for the module's version list (to warn about deprecation), which the proxy
 * refuses for this module (403); and a binary built with FerretDB as the main module panics at
 * start, because the module zip lacks the `build/version/version.txt` its release builds generate.
 * So the exact release is downloaded (`go mod download`, checked against the checksum database),
 * copied, given that file, and built with its own go.sum.
 */
export function installFerretDb(log: (line: string) => void): void {
  if (existsSync(FERRETDB_BIN)) {
    log(`ferretdb: ${FERRETDB_BIN} is installed`)
    return
  }
  const go = findGo()
  log(`ferretdb: building FerretDB ${FERRETDB_VERSION} with ${go} (about two minutes the first time)`)
  const work = mkdtempSync(join(tmpdir(), 'sagasu-ferretdb-'))
  try {
    const env = { ...process.env, GOFLAGS: '-buildvcs=false' }
    const download = JSON.parse(execFileSync(go, ['mod', 'download', '-json', `${MODULE}@${FERRETDB_VERSION}`], { cwd: work, env, encoding: 'utf8' })) as { Dir?: string; Error?: string }
    if (!download.Dir) throw new Error(`go mod download ${MODULE}@${FERRETDB_VERSION} failed: ${download.Error ?? 'no directory'}`)
    const source = join(work, 'src')
    cpSync(download.Dir, source, { recursive: true })
    makeWritable(source)
    writeFileSync(join(source, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`)
    mkdirSync(TEST_SERVERS_BIN, { recursive: true })
    execFileSync(go, ['build', '-o', FERRETDB_BIN, './cmd/ferretdb'], { cwd: source, env, stdio: 'inherit' })
    const version = execFileSync(FERRETDB_BIN, ['--version'], { encoding: 'utf8' })
    if (!version.includes(`version: ${FERRETDB_VERSION}`)) throw new Error(`the built ferretdb reports another version:\n${version}`)
    log(`ferretdb: installed ${FERRETDB_BIN}`)
  } catch (error) {
    rmSync(FERRETDB_BIN, { force: true })
    throw error
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** The module cache is read-only; the copy must not be, to add a file and to be removed. */
function makeWritable(path: string): void {
  const stat = statSync(path)
  chmodSync(path, stat.mode | 0o200)
  if (stat.isDirectory()) for (const entry of readdirSync(path)) makeWritable(join(path, entry))
}
