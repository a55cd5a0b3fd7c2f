// The suite's fast part (type check, build, unit and integration tests without the servers
// profile) on other Node.js lines than the machine's own: `npm run test:node-lines [-- 22 24 26]`
// (default: the lines CI runs, 24 and 26). For each line it installs the release from the npm
// registry (scripts/test-deps/node-versions.ts), copies the working tree to
// `.cache/node/<version>/work/sagasu`, installs the dependencies there with that Node (`npm ci`:
// better-sqlite3 is compiled for its ABI against the release's own headers; sharp, onnxruntime-node
// and usearch ship Node-API binaries that any line loads) and runs the steps there. A copy, not the
// checkout itself: the checkout's node_modules, .nuxt and .output stay built for the machine's Node.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { installAptPackages } from './test-deps/apt-packages'
import { CI_NODE_LINES, envWithoutNpmRun, installNode, isNodeLine, NODE_RELEASES, type NodeLine } from './test-deps/node-versions'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

const log = (line: string): void => {
  process.stderr.write(`test:node-lines: ${line}\n`)
}

/**
 * Test files of the servers profile: they start the FerretDB or Milvus test servers, through
 * test/helpers/ferretdb.ts or milvus.ts, or are named for it (`*servers*.test.ts`: benchmarks
 * that start them). The machine's own `npm test` runs them; the other lines leave them out, as
 * they would test the same servers again, only slower.
 */
const SERVERS_IMPORT = /from\s+['"](?:\.\.?\/)+(?:test\/)?helpers\/(?:ferretdb|milvus)['"]/
const SERVERS_NAME = /servers[^/]*\.test\.ts$/
const isServersTest = (path: string): boolean => SERVERS_NAME.test(path) || SERVERS_IMPORT.test(readFileSync(join(ROOT, path), 'utf8'))

interface StepResult {
  line: NodeLine
  step: string
  seconds: number
  ok: boolean
}

function parseLines(args: string[]): NodeLine[] {
  if (args.length === 0) return CI_NODE_LINES
  return args.map((arg) => {
    const line = arg.replace(/^v/, '').split('.')[0] ?? ''
    if (!isNodeLine(line)) {
      process.stderr.write(`test:node-lines: no Node line ${JSON.stringify(arg)}; known lines: ${Object.keys(NODE_RELEASES).join(', ')}\n`)
      process.exit(2)
    }
    return line
  })
}

/** The files git would commit now: tracked ones that still exist and untracked ones it does not ignore. */
function workingTreeFiles(): string[] {
  const out = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
  if (out.status !== 0) throw new Error(`git ls-files failed: ${out.stderr}`)
  return out.stdout.split('\0').filter((path) => path && existsSync(join(ROOT, path)) && !lstatSync(join(ROOT, path)).isDirectory())
}

/** A fresh copy of the working tree; node_modules is kept when the lock file is the one it was installed from. */
function copyTree(work: string, files: string[]): void {
  mkdirSync(work, { recursive: true })
  for (const entry of readdirSync(work)) if (entry !== 'node_modules') rmSync(join(work, entry), { recursive: true, force: true })
  for (const path of files) {
    const target = join(work, path)
    mkdirSync(dirname(target), { recursive: true })
    const stat = lstatSync(join(ROOT, path))
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(join(ROOT, path)), target)
    else copyFileSync(join(ROOT, path), target)
  }
  // Tests read ../shared/realworld next to the checkout; the copy sees the same folder.
  const shared = resolve(ROOT, '..', 'shared')
  const sharedLink = resolve(work, '..', 'shared')
  rmSync(sharedLink, { force: true })
  if (existsSync(shared)) symlinkSync(realpathSync(shared), sharedLink)
  // The OCR models npm run test:deps converted (Python, minutes) are the same for every Node line.
  const ocrModels = join(ROOT, '.cache', 'ocr-models')
  if (existsSync(ocrModels)) {
    mkdirSync(join(work, '.cache'), { recursive: true })
    symlinkSync(ocrModels, join(work, '.cache', 'ocr-models'))
  }
}

/** The environment of a line: its node first on PATH (npm's own `#!/usr/bin/env node` included), its headers for node-gyp. */
function lineEnv(home: string): NodeJS.ProcessEnv {
  const env = envWithoutNpmRun()
  env.PATH = `${join(home, 'bin')}:${process.env.PATH ?? ''}`
  env.npm_config_nodedir = home
  env.ONNXRUNTIME_NODE_INSTALL_CUDA = 'skip'
  return env
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, capture = false): { ok: boolean; output: string } {
  log(`$ ${[command, ...args].join(' ')}`)
  const result = spawnSync(command, args, { cwd, env, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  const output = capture ? `${result.stdout ?? ''}${result.stderr ?? ''}` : ''
  if (capture) process.stderr.write(output)
  if (result.error) log(`${command}: ${result.error.message}`)
  return { ok: result.status === 0, output }
}

function testLine(line: NodeLine, files: string[], serversTests: string[], results: StepResult[]): void {
  const version = NODE_RELEASES[line]
  const step = (name: string, body: () => boolean): boolean => {
    const started = performance.now()
    let ok = false
    try {
      ok = body()
    } catch (error) {
      log(`${name} on Node ${version}: ${(error as Error).message}`)
    }
    const seconds = (performance.now() - started) / 1000
    results.push({ line, step: name, seconds, ok })
    log(`${ok ? 'passed' : 'FAILED'}: ${name} on Node ${version} (${seconds.toFixed(0)} s)`)
    return ok
  }
  let home = ''
  if (!step('install Node', () => Boolean((home = installNode(version, log))))) return
  const work = join(home, 'work', 'sagasu')
  const env = lineEnv(home)
  step('copy the working tree', () => (copyTree(work, files), true))
  const ran = spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim()
  if (ran !== `v${version}`) {
    log(`node on PATH is ${ran}, not v${version}`)
    results.push({ line, step: 'node on PATH', seconds: 0, ok: false })
    return
  }
  const installed = step('npm ci', () => {
    const stamp = join(work, 'node_modules', '.sagasu-installed')
    const want = createHash('sha256').update(readFileSync(join(work, 'package-lock.json'))).update(readFileSync(join(work, 'package.json'))).update(version).digest('hex')
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) {
      log(`dependencies for Node ${version} are installed from this lock file; \`nuxt prepare\` only`)
      return run('npx', ['nuxt', 'prepare'], work, env).ok
    }
    rmSync(join(work, 'node_modules'), { recursive: true, force: true })
    const { ok, output } = run('npm', ['ci'], work, env, true)
    const warnings = output.split('\n').filter((text) => text.includes('EBADENGINE'))
    if (warnings.length > 0) {
      log(`npm ci on Node ${version} printed ${warnings.length} EBADENGINE lines: a dependency does not declare support for it`)
      return false
    }
    if (ok) writeFileSync(stamp, want)
    return ok
  })
  if (!installed) return
  step('type check', () => run('npm', ['run', 'typecheck'], work, env).ok)
  if (!step('build', () => run('npx', ['nuxt', 'build'], work, env).ok)) return
  step('unit and integration tests (no servers profile)', () => run('npx', ['vitest', 'run', ...serversTests.flatMap((path) => ['--exclude', path])], work, env).ok)
}

const lines = parseLines(process.argv.slice(2))
installAptPackages(log)
const files = workingTreeFiles()
const serversTests = files.filter((path) => path.endsWith('.test.ts') && isServersTest(path))
log(`leaving out the servers profile (${serversTests.length} files): ${serversTests.join(', ')}`)
const results: StepResult[] = []
const started = performance.now()
for (const line of lines) testLine(line, files, serversTests, results)

const table = ['| Node | step | seconds | result |', '|---|---|---:|---|']
for (const result of results) table.push(`| ${NODE_RELEASES[result.line]} | ${result.step} | ${result.seconds.toFixed(0)} | ${result.ok ? 'passed' : 'FAILED'} |`)
process.stdout.write(`\n${table.join('\n')}\n\ntotal: ${((performance.now() - started) / 1000).toFixed(0)} s on Node ${lines.map((line) => NODE_RELEASES[line]).join(', ')}\n`)
const failed = results.filter((result) => !result.ok)
const missing = lines.filter((line) => !results.some((result) => result.line === line && result.step.startsWith('unit')))
if (failed.length > 0 || missing.length > 0) {
  process.stderr.write(`test:node-lines: FAILED on ${[...new Set([...failed.map((result) => result.line), ...missing])].map((line) => `Node ${NODE_RELEASES[line]}`).join(', ')}\n`)
  process.exit(1)
}
