import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const CLI = fileURLToPath(new URL('../../bin/sagasu.mjs', import.meta.url))

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs the real `sagasu` CLI in a child process, as users and tooling do. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; command?: string[] } = {}): Promise<CliResult> {
  const [command, ...prefix] = options.command ?? [process.execPath]
  return new Promise((resolve, reject) => {
    const child = spawn(command!, [...prefix, CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, SAGASU_CONFIG: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

/** Runs the CLI with --json and parses the one document it must print. */
export async function runCliJson<T>(args: string[], options: Parameters<typeof runCli>[1] = {}): Promise<{ code: number | null; body: T; stderr: string }> {
  const result = await runCli([...args, '--json'], options)
  let body: T
  try {
    body = JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${result.code}):\n${result.stdout}\n--- stderr ---\n${result.stderr}`)
  }
  return { code: result.code, body, stderr: result.stderr }
}
