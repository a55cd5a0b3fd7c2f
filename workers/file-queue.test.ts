import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { configSchema } from '../config/schema'
import type { ImageInput } from '../shared/types/image'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import type { Store } from '../server/store/store'
import { colorOf, tempDir, writeImage } from '../test/helpers/library'
import { runImport } from './import'

/** The real SQLite store, refusing any batch (and any single save) that holds one path. */
function refusingPath(store: Store, path: string): Store {
  const refuse = (inputs: ImageInput[]) => {
    if (inputs.some((input) => input.path === path)) throw new Error(`refused ${path}`)
  }
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'saveImages') return async (inputs: ImageInput[]) => (refuse(inputs), target.saveImages(inputs))
      if (key === 'saveImage') return async (input: ImageInput) => (refuse([input]), target.saveImage(input))
      const value: unknown = Reflect.get(target, key, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

describe('file jobs saved a chunk at a time', () => {
  it('saves the rest of a chunk whose batch write fails, and records the one record the store refused', async () => {
    const dir = tempDir()
    const folder = join(dir, 'lib')
    for (let n = 0; n < 5; n++) await writeImage(join(folder, `${n}.png`), { color: colorOf(n) })
    const config = configSchema.parse({
      dataDir: join(dir, 'data'),
      folders: [{ name: 'lib', path: folder }],
      models: { clip: { enabled: false }, tagger: { enabled: false }, ocr: { enabled: false } },
      watch: { enabled: false },
    })
    const real = openSqliteStore(config.dataDir)
    const logs: string[] = []
    const store = refusingPath(real, '3.png')

    const counts = await runImport({ config, store, worker: 'test/1', log: (line) => logs.push(line) }, { folders: config.folders, concurrency: 2 })

    expect(counts).toMatchObject({ scanned: 5, added: 4, errors: 1 })
    expect([...(await real.fileStates('lib')).keys()].sort()).toEqual(['0.png', '1.png', '2.png', '4.png'])
    expect(await real.listErrors('lib')).toEqual([expect.objectContaining({ path: '3.png', stage: 'internal', reason: 'refused 3.png' })])
    expect(await real.countJobs()).toEqual({ pending: 0, running: 0, failed: 0 })
    expect(logs.join('\n')).toContain('unexpected failure on lib/3.png')
    await real.close()
  })
})
