import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, type CliResult } from './cli'
import { eventually, freePort } from './server'

/** Debian's nginx; `npm run test:deps` installs it. */
export const NGINX = '/usr/sbin/nginx'

/**
 * nginx, unprivileged: everything it writes stays under `prefix`. Started by root (a container), its
 * workers would drop to `nobody`, who cannot read the test's private temporary folders.
 */
export function nginxArgs(prefix: string, conf: string): string[] {
  const user = process.getuid?.() === 0 ? ' user root;' : ''
  return ['-p', prefix, '-c', conf, '-g', `daemon off; pid ${join(prefix, 'nginx.pid')}; error_log stderr;${user}`]
}

export interface RunningNginx {
  url: string
  /** What `sagasu nginx-conf` rendered and rendered with (the `nginx -t` of a test reads them). */
  conf: string
  runtime: string
  /** What rendering printed: its exit code and stderr. */
  rendered: CliResult
  output: () => string
  stop: () => Promise<void>
}

/**
 * Renders nginx.conf with `sagasu nginx-conf` for `config` in front of `upstream` (host:port), starts
 * nginx on a free port with its runtime files under `dir`/nginx, and waits until it passes
 * /api/health through. Rendering that fails is returned, not thrown, so the test can assert it.
 */
export async function startNginx(config: string, upstream: string, dir: string): Promise<RunningNginx> {
  const runtime = join(dir, 'nginx')
  mkdirSync(runtime)
  const conf = join(runtime, 'nginx.conf')
  const listen = await freePort()
  const rendered = await runCli(['--config', config, 'nginx-conf', '--listen', `127.0.0.1:${listen}`, '--upstream', upstream, '--runtime-dir', runtime, '--output', conf])
  const url = `http://127.0.0.1:${listen}`
  let output = ''
  const stopped = { url, conf, runtime, rendered, output: () => output, stop: async () => undefined }
  if (rendered.code !== 0) return stopped
  const nginx = spawn(NGINX, nginxArgs(runtime, conf), { stdio: ['ignore', 'pipe', 'pipe'] })
  nginx.stderr!.on('data', (chunk: Buffer) => (output += chunk))
  const stop = async () => {
    if (nginx.exitCode !== null || nginx.signalCode !== null) return
    const exited = new Promise((resolve) => nginx.once('exit', resolve))
    nginx.kill('SIGQUIT')
    await exited
  }
  await eventually(async () => fetch(`${url}/api/health`).then((response) => (response.ok ? true : undefined), () => undefined), 20_000, () => `nginx to answer:\n${output}`)
    .catch(async (error: unknown) => {
      await stop()
      throw error
    })
  return { ...stopped, stop }
}

/** `nginx -t` on a rendered configuration. */
export function checkNginxConf(running: RunningNginx): { status: number | null; stderr: string } {
  const check = spawnSync(NGINX, ['-t', ...nginxArgs(running.runtime, running.conf)], { encoding: 'utf8' })
  return { status: check.status, stderr: check.stderr }
}
