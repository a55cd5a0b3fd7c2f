import { hostname } from 'node:os'

/** `host/pid`: names the process holding a job lease. */
export function currentWorkerId(): string {
  return `${hostname()}/${process.pid}`
}

/**
 * Whether the process named by a worker id still runs. Only answerable on this host; a worker
 * elsewhere counts as alive and its jobs come back when their lease expires.
 */
export function isWorkerAlive(worker: string): boolean {
  const slash = worker.lastIndexOf('/')
  const host = worker.slice(0, slash)
  const pid = Number(worker.slice(slash + 1))
  if (host !== hostname() || !Number.isInteger(pid)) return true
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
