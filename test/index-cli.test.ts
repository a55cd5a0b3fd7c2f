import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { VectorIndexStats } from '../server/store/store'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import type { IndexEstimate } from '../server/store/embedded/vector-index/estimate'
import { runCli, runCliJson } from './helpers/cli'
import { tempDir, writeConfig } from './helpers/library'
import { clusteredVectors } from './helpers/synthetic-vectors'

/** A data directory with 300 images and their embeddings under model "clip", written through the store. */
async function libraryWithEmbeddings(): Promise<string> {
  const dir = tempDir()
  const store = openSqliteStore(join(dir, 'data'))
  const vectors = clusteredVectors({ count: 300, dims: 16, centroids: 4, noise: 0.5, seed: 5 })
  for (let i = 0; i < 300; i++) {
    const id = await store.saveImage({ folder: 'lib', path: `${i}.png`, filename: `${i}.png`, ext: 'png', filesize: 1, mtime: 1, hash: `h${i}`, width: 1, height: 1, format: 'png', animated: false, frames: 1, type: 'other' })
    await store.saveEmbedding(id, 'clip', vectors.subarray(i * 16, (i + 1) * 16))
  }
  await store.close()
  return writeConfig(dir, { dataDir: join(dir, 'data'), vectors: { connectivity: 16 } })
}

describe('sagasu index', () => {
  it('rebuilds from SQLite, reports stats, and estimates with the stored dimension and M', async () => {
    const config = await libraryWithEmbeddings()
    const before = await runCliJson<{ models: VectorIndexStats[] }>(['--config', config, 'index', 'stats'])
    expect(before.code, before.stderr).toBe(0)
    expect(before.body.models).toEqual([expect.objectContaining({ model: 'clip', dims: 16, vectors: 300, fileBytes: 0, pending: 300 })])

    const rebuilt = await runCliJson<{ rebuilt: VectorIndexStats[] }>(['--config', config, 'index', 'rebuild', '--model', 'clip'])
    expect(rebuilt.code, rebuilt.stderr).toBe(0)
    expect(rebuilt.body.rebuilt).toEqual([expect.objectContaining({ model: 'clip', vectors: 300, indexed: 300, pending: 0 })])
    const after = await runCliJson<{ models: VectorIndexStats[] }>(['--config', config, 'index', 'stats'])
    expect(after.body.models[0]).toMatchObject({ pending: 0, fileBytes: rebuilt.body.rebuilt[0]!.fileBytes })
    expect(after.body.models[0]!.fileBytes).toBeGreaterThan(0)

    const estimate = await runCliJson<IndexEstimate>(['--config', config, 'index', 'estimate', '--count', '1000000'])
    expect(estimate.code, estimate.stderr).toBe(0)
    expect(estimate.body).toMatchObject({ count: 1_000_000, dims: 16, connectivity: 16 })
    const library = await runCliJson<IndexEstimate>(['--config', config, 'index', 'estimate'])
    expect(library.body.count).toBe(300)
    // The formula against the file the rebuild wrote.
    expect(Math.abs(library.body.diskBytes - after.body.models[0]!.fileBytes) / after.body.models[0]!.fileBytes).toBeLessThan(0.05)
  }, 60_000)

  it('exits 2 on bad input', async () => {
    const config = await libraryWithEmbeddings()
    for (const args of [['index', 'estimate', '--count', '-5'], ['index', 'estimate', '--count', 'many'], ['index', 'estimate', '--dims', '0'], ['index', 'rebuild', '--model', 'nope']]) {
      const result = await runCli(['--config', config, ...args])
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(/--count|--dims|no embeddings are stored for model "nope"/)
    }
  }, 60_000)
})
