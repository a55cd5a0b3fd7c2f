/**
 * `sagasu worker --stages` on the servers profile (a real FerretDB): two worker processes over one
 * library tag every image exactly once between them.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../config/load-config'
import { openStore } from '../server/store/open-store'
import { runCliJson } from './helpers/cli'
import { configFile, expectEveryImageDone, expectShared, makeLibrary, SIZES, twoWorkers } from './helpers/distributed-workers'
import { startFerretDb, type FerretDbServer } from './helpers/ferretdb'
import { tempDir } from './helpers/library'

describe('sagasu worker --stages (servers profile, FerretDB)', () => {
  let ferret: FerretDbServer
  const dir = tempDir('sagasu-worker-stages-servers-')
  const library = join(dir, 'library')
  let config: string

  beforeAll(async () => {
    ferret = await startFerretDb()
    await makeLibrary(library, SIZES.servers.images)
    // The tagger only: CLIP embeddings live in Milvus on this profile, which the vector conformance suite covers.
    config = configFile(dir, library, { store: { profile: 'servers', servers: { mongodb: { url: ferret.url, database: 'distributed' } } } })
    const imported = await runCliJson<{ added: number }>(['--config', config, 'import'])
    expect(imported.body.added, imported.stderr).toBe(SIZES.servers.images)
  }, 300_000)
  afterAll(() => ferret?.stop())

  it('two workers tag every image exactly once between them', async () => {
    const summaries = await twoWorkers(config, 'tag', SIZES.servers)
    expectShared(summaries, ['tag'], SIZES.servers.images)
    const store = openStore(loadConfig({ file: config }).config)
    try {
      await expectEveryImageDone(store, ['tag'], SIZES.servers.images)
    } finally {
      await store.close()
    }
  }, 300_000)
})
