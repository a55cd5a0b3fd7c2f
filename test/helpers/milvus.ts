import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MilvusClient } from '@zilliz/milvus2-sdk-node'
import { MILVUS_PACKAGE, MILVUS_SERVER_BIN } from '../../scripts/test-deps/milvus'
import { MILVUS_CHANNEL_OPTIONS } from '../../server/store/servers/milvus-call'
import { freePort } from './server'

/**
 * A real Milvus 2.3 standalone for the servers-profile tests: PyPI's `milvus` package (installed
 * by `npm run test:deps`), started with its `milvus-server` command on free ports, its data in a
 * temporary folder. Its embedded etcd listens on 127.0.0.1 only; the gRPC services advertise
 * 127.0.0.1 (Milvus 2.3 itself listens on every interface and has no setting to narrow that).
 */
export interface MilvusTestServer {
  /** `127.0.0.1:PORT`, what MilvusClient and the config's `address` take. */
  readonly address: string
  readonly dataDir: string
  /** Stops the server, keeping its data (for restart and outage tests). */
  stop(): Promise<void>
  /** Starts it again on the same ports and data, and waits until it answers. */
  start(): Promise<void>
  /** Stops it and deletes its data. */
  dispose(): Promise<void>
  /** The server's own log, for failure messages. */
  log(): string
}

/** Ports `milvus-server` takes flags for; each gets a free one (two servers may run at once). */
const PORT_FLAGS = [
  'etcd-port', 'root-coord-port', 'proxy-port', 'proxy-internal-port', 'query-coord-port', 'query-node-port',
  'index-coord-port', 'index-node-port', 'data-coord-port', 'data-node-port',
] as const

/** Starting takes 20–60 s on two busy cores (the first start also unpacks the server binary). */
const READY_TIMEOUT_MS = Number(process.env.MILVUS_READY_TIMEOUT_MS ?? 240_000)

/** Starts a Milvus test server and waits until it reports itself healthy. */
export async function startMilvus(): Promise<MilvusTestServer> {
  if (!existsSync(MILVUS_SERVER_BIN)) {
    throw new Error(`the Milvus test server (PyPI ${MILVUS_PACKAGE.name}==${MILVUS_PACKAGE.version}) is not installed: run npm run test:deps`)
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'sagasu-milvus-'))
  // A port picked free can be taken by another server starting at the same moment: try again with new ones.
  for (let attempt = 1; ; attempt++) {
    const ports = await pickPorts()
    const server = new MilvusProcess(dataDir, ports)
    try {
      await server.start()
      return server
    } catch (error) {
      if (attempt >= 3 || server.ready) {
        rmSync(dataDir, { recursive: true, force: true })
        throw error
      }
    }
  }
}

interface Ports {
  flags: Record<(typeof PORT_FLAGS)[number], number>
  etcdPeer: number
}

async function pickPorts(): Promise<Ports> {
  const flags = {} as Ports['flags']
  const taken = new Set<number>()
  const next = async (): Promise<number> => {
    for (;;) {
      const port = await freePort()
      if (!taken.has(port)) {
        taken.add(port)
        return port
      }
    }
  }
  for (const flag of PORT_FLAGS) flags[flag] = await next()
  return { flags, etcdPeer: await next() }
}

class MilvusProcess implements MilvusTestServer {
  readonly address: string
  ready = false
  private child: ChildProcess | undefined
  private output = ''

  constructor(readonly dataDir: string, private readonly ports: Ports) {
    this.address = `127.0.0.1:${ports.flags['proxy-port']}`
  }

  async start(): Promise<void> {
    if (this.child) return
    const etcdConfig = join(this.dataDir, 'embed-etcd.yaml')
    const client = `http://127.0.0.1:${this.ports.flags['etcd-port']}`
    const peer = `http://127.0.0.1:${this.ports.etcdPeer}`
    // Milvus reads ETCD_CONFIG_PATH as etcd.config.path: the embedded etcd's own settings, else it takes 2379/2380.
    writeFileSync(etcdConfig, [
      `listen-client-urls: ${client}`, `advertise-client-urls: ${client}`,
      `listen-peer-urls: ${peer}`, `initial-advertise-peer-urls: ${peer}`, `initial-cluster: default=${peer}`, '',
    ].join('\n'))
    const args = ['--data', this.dataDir]
    for (const [flag, port] of Object.entries(this.ports.flags)) args.push(`--${flag}`, String(port))
    for (const role of ['rootCoord', 'proxy', 'queryCoord', 'queryNode', 'indexNode', 'dataCoord', 'dataNode']) {
      args.push('--extra-config', `${role}.ip=127.0.0.1`)
    }
    const child = spawn(MILVUS_SERVER_BIN, args, {
      env: { ...process.env, ETCD_CONFIG_PATH: etcdConfig },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: milvus-server runs the server binary as a child, and stop() signals both.
      detached: true,
    })
    this.child = child
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk))
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk))
    child.once('exit', () => {
      if (this.child === child) this.child = undefined
    })
    try {
      await this.waitUntilHealthy(child)
      this.ready = true
    } catch (error) {
      await this.stop()
      throw error
    }
  }

  async stop(): Promise<void> {
    const child = this.child
    if (!child || child.pid === undefined) return
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve()
      else child.once('exit', () => resolve())
    })
    // The server binary first, on its own, and given the time it takes: milvus-server would kill it
    // one second after SIGINT, and a server killed mid-shutdown may not come up again on its data.
    for (const pid of childPids(child.pid)) await terminate(pid)
    // milvus-server itself stops on SIGINT (on SIGTERM it would leave its child running).
    signalGroup(child.pid, 'SIGINT')
    const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), 20_000)
    await exited
    clearTimeout(timer)
    // The server binary may outlive the launcher by a moment; the group kill makes sure it is gone.
    await waitForGroupExit(child.pid)
    this.child = undefined
  }

  async dispose(): Promise<void> {
    await this.stop()
    rmSync(this.dataDir, { recursive: true, force: true })
  }

  log(): string {
    const file = join(this.dataDir, 'logs', 'milvus-stdout.log')
    const serverLog = existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-40).join('\n') : ''
    return `${this.output}\n${serverLog}`
  }

  private async waitUntilHealthy(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`milvus-server exited before it was ready:\n${this.log()}`)
      const health = await checkHealth(this.address)
      if (health.isHealthy) return
      if (Date.now() > deadline) {
        throw new Error(`milvus-server did not become healthy in ${READY_TIMEOUT_MS / 1000} s (${JSON.stringify(health.reasons)}):\n${this.log()}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }
}

/**
 * One health check on a new client with its own subchannel: a client made before the port
 * listened can stay in gRPC's reconnect backoff ("No connection established") after the server is up.
 */
async function checkHealth(address: string): Promise<{ isHealthy: boolean; reasons: unknown[] }> {
  const client = new MilvusClient({ address, timeout: 2000, maxRetries: 0, logLevel: 'error', channelOptions: { ...MILVUS_CHANNEL_OPTIONS } })
  client.connectPromise.catch(() => undefined)
  try {
    return await client.checkHealth()
  } catch (error) {
    return { isHealthy: false, reasons: [String(error)] }
  } finally {
    client.closeConnection()
  }
}

/** The launcher's direct children (the server binary), from /proc. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** Running, as opposed to gone or a zombie its parent has not collected yet. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** SIGTERM, then SIGKILL if it still runs after 20 s (Milvus 2.3 often waits that long on a component). */
async function terminate(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    return
  }
  const deadline = Date.now() + 20_000
  while (running(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL')
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // the group is gone already
  }
}

async function waitForGroupExit(pid: number): Promise<void> {
  const deadline = Date.now() + 20_000
  for (;;) {
    try {
      process.kill(-pid, 0)
    } catch {
      return
    }
    if (Date.now() > deadline) {
      signalGroup(pid, 'SIGKILL')
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
