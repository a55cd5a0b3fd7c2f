import { existsSync, linkSync, mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema, type SagasuConfig } from '../config/schema'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import type { Store } from '../server/store/store'
import { colorOf, tempDir, writeImage } from '../test/helpers/library'
import { startLinkSwapper } from '../test/helpers/link-swapper'
import { indexFile } from './index-file'
import type { PipelineContext } from './pipeline-context'
import { StageError } from './stage'
import { hashContent } from './stages/hash.stage'
import { thumbnailPath } from './stages/thumbnail.stage'

describe('indexFile keeps to the folder', () => {
  let dir: string
  let lib: string
  let config: SagasuConfig
  let store: Store
  let ctx: PipelineContext
  let outsideHash: string

  beforeAll(async () => {
    dir = tempDir()
    lib = join(dir, 'lib')
    mkdirSync(lib)
    outsideHash = await hashContent(await writeImage(join(dir, 'outside/private.png'), { color: colorOf(1) }))
    config = configSchema.parse({ dataDir: join(dir, 'data'), folders: [{ name: 'lib', path: lib }], watch: { enabled: false } })
    store = openSqliteStore(config.dataDir)
    ctx = { config, store, worker: 'test/1', log: () => undefined }
  })

  afterAll(async () => {
    await store?.close()
  })

  it('refuses a link out of the folder with the scan\'s error, and indexes a link that stays inside', async () => {
    symlinkSync(join(dir, 'outside/private.png'), join(lib, 'link-out.png'))
    const refused = await indexFile(ctx, config.folders[0]!, 'link-out.png').catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(StageError)
    expect(refused).toMatchObject({ stage: 'scan', message: expect.stringContaining(`symbolic link leads outside the folder (to ${join(dir, 'outside/private.png')})`) })
    expect(existsSync(thumbnailPath(config.dataDir, outsideHash))).toBe(false)

    const inside = await writeImage(join(lib, 'sub/a.png'), { color: colorOf(2) })
    symlinkSync(join(lib, 'sub/a.png'), join(lib, 'link-in.png'))
    const result = await indexFile(ctx, config.folders[0]!, 'link-in.png')
    expect(result).toMatchObject({ outcome: 'added', save: { path: 'link-in.png', hash: await hashContent(inside) } })
  })

  it('never indexes the target of a link swapped in while it reads', { timeout: 180_000 }, async () => {
    const image = await writeImage(join(dir, 'image.png'), { color: colorOf(3) })
    const imageHash = await hashContent(image)
    linkSync(join(dir, 'image.png'), join(lib, 'x.png'))
    const swapper = await startLinkSwapper(lib, 'x.png', join(dir, 'image.png'), join(dir, 'outside/private.png'))
    const seen = new Map<string, number>()
    const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1)
    try {
      for (let i = 0; i < 400; i++) {
        const result = await indexFile(ctx, config.folders[0]!, 'x.png', { force: true }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
        if (result instanceof StageError) count(`refused at ${result.stage}`)
        else if (result instanceof Error) count(`failed: ${result.message}`)
        else count(result.save?.hash === imageHash ? 'the image' : result.save?.hash === outsideHash ? 'THE OUTSIDE FILE' : `outcome ${result.outcome}`)
      }
    } finally {
      await swapper.stop()
    }
    expect([...seen.keys()].sort()).toEqual(['refused at scan', 'the image'])
    expect(existsSync(thumbnailPath(config.dataDir, outsideHash))).toBe(false)
  })
})
