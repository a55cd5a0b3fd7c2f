/** `sagasu worker --once`: indexes the queued file jobs and stops when the queue is empty. */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import { fileJob } from '../workers/file-queue'
import { runCli } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'

describe('sagasu worker', () => {
  it('processes the queued files once and reports what it did', async () => {
    const dir = tempDir()
    const folder = join(dir, 'pics')
    for (let n = 0; n < 5; n++) await writeImage(join(folder, `${n}.png`), { color: colorOf(n) })
    const config = writeConfig(dir, {
      dataDir: join(dir, 'data'),
      folders: [{ name: 'pics', path: folder }],
      models: { clip: { enabled: false }, tagger: { enabled: false }, ocr: { enabled: false } },
    })
    const store = openSqliteStore(join(dir, 'data'))
    await store.enqueueJobs([...Array.from({ length: 5 }, (_, n) => fileJob({ folder: 'pics', path: `${n}.png` })), fileJob({ folder: 'pics', path: 'missing.png' })])
    await store.close()

    const result = await runCli(['--config', config, 'worker', '--once', '--json'])
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ processed: 6, byOutcome: { added: 5, gone: 1 }, retries: 0 })

    const after = openSqliteStore(join(dir, 'data'))
    expect((await after.fileStates('pics')).size).toBe(5)
    expect(await after.countJobs()).toEqual({ pending: 0, running: 0, failed: 0 })
    await after.close()
  }, 60_000)

  it('refuses a bad --concurrency with exit 2', async () => {
    const result = await runCli(['worker', '--once', '--concurrency', '0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--concurrency')
  })
})
