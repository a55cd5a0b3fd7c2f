/**
 * A servers-profile backend that is down: every operation fails with an error naming MongoDB and
 * its address (never the credentials), the CLI says so and exits 1, and once the server is back
 * the same store works again without reopening.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lazyVectorIndex } from '../server/store/servers/lazy-backends'
import { openMilvusVectors } from '../server/store/servers/milvus-vectors'
import { openServersStore } from '../server/store/servers/open-servers-store'
import { StoreUnavailableError } from '../server/store/store-unavailable-error'
import { runCli } from './helpers/cli'
import { startFerretDb, type FerretDbServer } from './helpers/ferretdb'
import { tempDir, writeConfig } from './helpers/library'
import { freePort } from './helpers/server'

describe('servers profile with MongoDB down', () => {
  let ferret: FerretDbServer

  beforeAll(async () => {
    ferret = await startFerretDb()
  }, 60_000)
  afterAll(() => ferret?.stop())

  it('names MongoDB and its address without the password, and recovers when the server is back', async () => {
    const url = `mongodb://sagasu:secret@127.0.0.1:${ferret.port}/`
    const store = openServersStore({ url: ferret.url, database: 'recovers', serverSelectionTimeoutMS: 1_000 })
    await store.enqueueJobs([{ kind: 'file', key: 'a', payload: {} }])
    await ferret.stop()
    const down = openServersStore({ url, database: 'recovers', serverSelectionTimeoutMS: 500 })
    const error = await down.countJobs().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(StoreUnavailableError)
    expect((error as StoreUnavailableError).message).toContain(`MongoDB at mongodb://127.0.0.1:${ferret.port}/ is unavailable`)
    expect((error as StoreUnavailableError).message).not.toContain('secret')
    await expect(store.countJobs()).rejects.toBeInstanceOf(StoreUnavailableError)
    const readAll = async () => {
      for await (const chunk of store.matchingImageKeys({ type: 'and', children: [], span: { start: 0, end: 0 } })) expect(chunk).toBeDefined()
    }
    await expect(readAll()).rejects.toBeInstanceOf(StoreUnavailableError)

    await ferret.start()
    expect(await store.countJobs()).toEqual({ pending: 1, running: 0, failed: 0 })
    await store.close()
    await down.close()
  }, 60_000)

  it('warms Milvus up with the store: a Milvus that is down makes warmUp fail naming it, and nothing else', async () => {
    const milvusPort = await freePort()
    const store = openServersStore({
      url: ferret.url,
      database: 'warm',
      serverSelectionTimeoutMS: 1_000,
      vectors: lazyVectorIndex(() => openMilvusVectors({ address: `127.0.0.1:${milvusPort}`, timeout: 3_000 })),
    })
    await expect(store.warmUp()).rejects.toThrow(`Milvus at 127.0.0.1:${milvusPort} is unavailable`)
    // MongoDB itself was fine: what does not need Milvus still works.
    expect(await store.countJobs()).toEqual({ pending: 0, running: 0, failed: 0 })
    await store.close()
  }, 60_000)

  it('makes the CLI say which server is down and exit 1', async () => {
    const dir = tempDir()
    const port = await freePort()
    const config = writeConfig(dir, { dataDir: dir, store: { profile: 'servers', servers: { mongodb: { url: `mongodb://127.0.0.1:${port}`, timeoutSeconds: 0.5 } } } })
    const result = await runCli(['--config', config, 'stats'])
    expect(result.stderr).toContain(`sagasu: MongoDB at mongodb://127.0.0.1:${port} is unavailable`)
    expect(result.code).toBe(1)
  }, 60_000)
})
