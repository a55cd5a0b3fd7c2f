import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import type { HealthReport, WatchReport } from '../../shared/types/api'
import { CLI, ROOT } from './cli'

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export interface RunningServer {
  url: string
  process: ChildProcess
  output: () => string
  stop: () => Promise<void>
}

/** Starts `sagasu serve` (the built app) and waits until it answers. */
export async function startServer(args: string[], options: { env?: NodeJS.ProcessEnv; token?: string; waitFor?: RegExp; user?: { uid: number; gid: number }; command?: string[] } = {}): Promise<RunningServer> {
  const port = await freePort()
  // `command` runs node through a wrapper that must exec it (the server keeps the child's pid).
  const [command, ...prefix] = options.command ?? [process.execPath]
  const child = spawn(command!, [...prefix, CLI, ...args, 'serve', '--port', String(port)], {
    cwd: ROOT,
    // Another user than root (who ignores file permissions), for tests of files the server may not write.
    ...(options.user ?? {}),
    // Model stages off unless a test turns them on: they would otherwise run over every library in the background.
    env: { ...process.env, SAGASU_CONFIG: '', SAGASU_MODELS: 'none', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk))
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  const deadline = Date.now() + 60_000
  const waitFor = options.waitFor ?? /library up to date/
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`)
    if (waitFor.test(output)) {
      const ok = await fetch(`${url}/api/health`, { headers: options.token ? { authorization: `Bearer ${options.token}` } : {} }).then((r) => r.ok, () => false)
      if (ok) break
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`server did not start:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { url, process: child, output: () => output, stop }
}

/**
 * Polls until `check` returns a value that is not undefined, or fails after `ms`; a function `what`
 * is asked at the timeout, so the message shows the state then, not at the start.
 */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 20_000, what: string | (() => string) = 'condition'): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`)
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
}

/** The live library's report in GET /api/health (watching is on in the tests that ask). */
export async function watchReport(server: RunningServer): Promise<WatchReport> {
  const health = (await (await fetch(`${server.url}/api/health`)).json()) as HealthReport
  if (!health.watch) throw new Error('GET /api/health has no "watch" report')
  return health.watch
}

/**
 * Waits until the live library says it has applied `count` more file changes than `since` (its
 * `changesApplied` counter): the server's own signal that an event was handled, on a machine
 * however busy. The bound is only there so a library that went quiet fails the test at all.
 */
/** Vitest's timeout for a test that waits with waitForChanges: above its bound, so the bound's message (with the server's log) is what a failure shows. */
export const CHANGES_TEST_TIMEOUT_MS = 200_000

export async function waitForChanges(server: RunningServer, since: number, count: number, what: string): Promise<number> {
  let last = since
  return eventually(async () => {
    last = (await watchReport(server)).changesApplied
    return last >= since + count ? last : undefined
  }, 180_000, () => `${what}: the live library applied ${last - since} of ${count} changes; the server's log ends:\n${server.output().slice(-3000)}`)
}
