/**
 * `sagasu worker --stages`: model work taken through leases, on the embedded store. Two worker
 * processes over one library run the fixture models on every image exactly once between them; a
 * worker without --once waits for work and stops on SIGTERM; an unknown stage name or a stage the
 * configuration turns off is a usage error. The servers profile: worker-stages-servers.test.ts.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../config/load-config'
import { openStore } from '../server/store/open-store'
import { CLI, ROOT, runCli, runCliJson } from './helpers/cli'
import { configFile, expectEveryImageDone, expectShared, makeLibrary, SIZES, twoWorkers } from './helpers/distributed-workers'
import { colorOf, tempDir, writeImage } from './helpers/library'
import { eventually } from './helpers/server'

describe('sagasu worker --stages (embedded store)', () => {
  const dir = tempDir('sagasu-worker-stages-')
  const library = join(dir, 'library')
  let config: string

  beforeAll(async () => {
    await makeLibrary(library, SIZES.embedded.images)
    config = configFile(dir, library, { clip: true })
    const imported = await runCliJson<{ added: number }>(['--config', config, 'import'])
    expect(imported.body.added).toBe(SIZES.embedded.images)
  }, 240_000)

  it('two workers tag and embed every image exactly once between them', async () => {
    const summaries = await twoWorkers(config, 'tag,embed', SIZES.embedded)
    expectShared(summaries, ['tag', 'embed'], SIZES.embedded.images)
    const store = openStore(loadConfig({ file: config }).config)
    try {
      await expectEveryImageDone(store, ['tag', 'embed'], SIZES.embedded.images)
    } finally {
      await store.close()
    }
  }, 300_000)

  it('waits for new work until SIGTERM, then stops and reports what it did', async () => {
    const other = tempDir('sagasu-worker-wait-')
    const small = join(other, 'library')
    for (let n = 0; n < 3; n++) await writeImage(join(small, `${n}.png`), { color: colorOf(n) })
    const file = configFile(other, small)
    const worker = spawn(process.execPath, [CLI, '--config', file, 'worker', '--stages', 'tag', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    worker.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    worker.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    const exited = new Promise<number | null>((resolve) => worker.on('close', (code) => resolve(code)))
    try {
      // Images imported while the worker waits are tagged by it.
      expect((await runCliJson<{ added: number }>(['--config', file, 'import'])).body.added).toBe(3)
      const store = openStore(loadConfig({ file }).config)
      try {
        await eventually(async () => {
          const [tag] = (await store.stageVersions()).filter((entry) => entry.stage === 'tag')
          return tag && (await store.stageCounts('tag', tag.version)).done === 3 ? true : undefined
        }, 120_000, () => `the waiting worker to tag the new images:\n${stderr}`)
      } finally {
        await store.close()
      }
      expect(worker.exitCode, 'still waiting for more').toBeNull()
    } finally {
      worker.kill('SIGTERM')
    }
    expect(await exited, stderr).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ processed: 0, stages: { tag: { processed: 3, failed: 0 } } })
  }, 240_000)

  it('releases the images it holds when stopped in the middle of the work', async () => {
    // Another general threshold is another tagger version: the whole library is pending again.
    const stricter = configFile(tempDir(), library, { dataDir: join(dir, 'data'), general: 0.5 })
    const worker = spawn(process.execPath, [CLI, '--config', stricter, 'worker', '--stages', 'tag', '--chunk', '1', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    worker.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    worker.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    const exited = new Promise<number | null>((resolve) => worker.on('close', (code) => resolve(code)))
    const store = openStore(loadConfig({ file: stricter }).config)
    try {
      const version = await eventually(async () => {
        const [tag] = (await store.stageVersions()).filter((entry) => entry.stage === 'tag' && entry.version.includes('general=0.5;'))
        return tag && (await store.stageCounts('tag', tag.version)).done >= 5 ? tag.version : undefined
      }, 120_000, () => `the worker to tag its first images:\n${stderr}`)
      worker.kill('SIGTERM')
      expect(await exited, stderr).toBe(0)
      const { done, pending } = await store.stageCounts('tag', version)
      expect(pending, 'stopped before the end').toBeGreaterThan(0)
      expect(JSON.parse(stdout).stages.tag.processed).toBe(done)
      // Nothing is left leased to the stopped worker: every pending image can be taken at once.
      expect(await store.claimStageWork('tag', version, 'checker/1', SIZES.embedded.images, 60_000)).toHaveLength(pending)
    } finally {
      worker.kill('SIGKILL')
      await store.close()
    }
  }, 240_000)

  it('refuses an unknown stage name, and a stage the configuration turns off, with exit 2', async () => {
    const unknown = await runCli(['--config', config, 'worker', '--stages', 'tag,colour', '--once'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown stage "colour"')
    const off = await runCli(['--config', configFile(tempDir(), library), 'worker', '--stages', 'embed', '--once'])
    expect(off.code).toBe(2)
    expect(off.stderr).toContain('models.clip.enabled')
  })
})
