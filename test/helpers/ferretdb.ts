import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { MongoClient } from 'mongodb'
import { FERRETDB_BIN } from '../../scripts/test-deps/ferretdb'
import { tempDir } from './library'
import { freePort } from './server'

/** A FerretDB test server (SQLite backend) on 127.0.0.1, with its data in a temporary folder. */
export interface FerretDbServer {
  /** `mongodb://127.0.0.1:<port>/` */
  url: string
  port: number
  dataDir: string
  /** Stops the process (the data stays, so `start` can bring the same server back). */
  stop(): Promise<void>
  /** Starts it again on the same port and data (after `stop`). */
  start(): Promise<void>
  /** What it printed, for failure messages. */
  output(): string
}

/**
 * Starts FerretDB (built by `npm run test:deps`) on a free port and waits until it answers a
 * ping. Telemetry is off and the debug/metrics listener is not started, so nothing else is bound.
 *
 * @example
 * const ferret = await startFerretDb()
 * afterAll(() => ferret.stop())
 */
export async function startFerretDb(): Promise<FerretDbServer> {
  if (!existsSync(FERRETDB_BIN)) throw new Error(`FerretDB is not installed at ${FERRETDB_BIN}: run \`npm run test:deps\``)
  const port = await freePort()
  const dataDir = tempDir('sagasu-ferretdb-')
  const url = `mongodb://127.0.0.1:${port}/`
  let child: ChildProcess | undefined
  let log = ''

  const start = async (): Promise<void> => {
    log = ''
    child = spawn(FERRETDB_BIN, [
      `--listen-addr=127.0.0.1:${port}`,
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--state-dir=${dataDir}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=WARN',
    ], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout?.on('data', (chunk: Buffer) => { log += chunk.toString() })
    child.stderr?.on('data', (chunk: Buffer) => { log += chunk.toString() })
    await waitUntilAnswering(url, child, () => log)
    // A restart whose port another test's server took meanwhile would be answered by that server:
    // ours exits at once when it cannot listen, so a moment later it must still run.
    await new Promise((resolve) => setTimeout(resolve, 300))
    if (child.exitCode !== null) throw new Error(`FerretDB exited with code ${child.exitCode} after starting on ${url}:\n${log}`)
  }

  const stop = async (): Promise<void> => {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null || running.signalCode !== null) return
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve())
      running.kill('SIGTERM')
      setTimeout(() => running.kill('SIGKILL'), 5_000).unref()
    })
  }

  await start()
  return { url, port, dataDir, stop, start, output: () => log }
}

async function waitUntilAnswering(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`FerretDB exited with code ${child.exitCode}:\n${output()}`)
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 })
    try {
      await client.db('admin').command({ ping: 1 })
      return
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`FerretDB did not answer at ${url} within 30 s (${String(error)}):\n${output()}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    } finally {
      await client.close()
    }
  }
}
