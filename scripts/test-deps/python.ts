import { execFileSync } from 'node:child_process'

/** The machine's Python 3 command (`python3`, else `python`); throws naming what needs it. */
export function findPython(neededFor: string): string {
  for (const candidate of ['python3', 'python']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' })
      return candidate
    } catch {
      // try the next name
    }
  }
  throw new Error(`${neededFor} need${neededFor.endsWith('s') ? '' : 's'} Python 3 (python3 -m venv)`)
}
