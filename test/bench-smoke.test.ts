import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ROOT } from './helpers/cli'
import { tempDir } from './helpers/library'

const run = promisify(execFile)

// Benchmarks are not timed tests; this only proves the import benchmark still runs end to end.
describe('bench smoke', () => {
  it('runs the import benchmark on a tiny library and prints its table', async () => {
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/import.bench.ts', '--count', '12', '--min-side', '64', '--max-side', '128', '--work', tempDir()], { cwd: ROOT })
    expect(stdout).toMatch(/\| first import \(thumbnails included\) \| [\d.]+ images\/s \|/)
    expect(stdout).toMatch(/\| unchanged re-scan \| [\d.]+ s \| 12 files \|/)
    expect(stdout).toMatch(/Machine: \d+ cores/)
  })
})
