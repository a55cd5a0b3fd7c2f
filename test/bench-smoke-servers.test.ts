import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from './helpers/cli'
import { FERRETDB_BIN } from '../scripts/test-deps/ferretdb'
import { milvusInstalled } from '../scripts/test-deps/milvus'

const run = promisify(execFile)

// The servers-profile benchmarks, apart from test/bench-smoke.test.ts because they need the FerretDB
// and Milvus test servers (npm run test:deps); npm run test:node-lines leaves it out by its name.
describe('bench smoke: servers profile', () => {
  beforeAll(() => {
    if (!existsSync(FERRETDB_BIN) || !milvusInstalled()) throw new Error('the FerretDB and Milvus test servers are not installed: run `npm run test:deps`')
  })

  it('runs both profiles side by side (FerretDB and Milvus test servers) on a few images and reports every table', async () => {
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/profiles.bench.ts', '--count', '40', '--runs', '1', '--dims', '16'], { cwd: ROOT })
    expect(stdout).toMatch(/\| servers \| [\d,]+ images\/s/)
    expect(stdout).toMatch(/\| three tags and a NOT \| `[^`]+` \| \d+ \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \|/)
    expect(stdout).toMatch(/\| tag and type \(id list\) \| \d+ \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \| 1\.000 \|/)
  }, 300_000)

  it('runs the Milvus consistency benchmark on a few vectors: every search right after a write finds it', async () => {
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/milvus-consistency.bench.ts', '--count', '50', '--searches', '5', '--dims', '16'], { cwd: ROOT })
    expect(stdout).toMatch(/^idle collection: p50 [\d.]+ ms, p95 [\d.]+ ms \(5 searches\)$/m)
    expect(stdout).toMatch(/^right after an upsert: p50 [\d.]+ ms, p95 [\d.]+ ms \(5 searches\); the upserted row missed by 0$/m)
  }, 300_000)
})
