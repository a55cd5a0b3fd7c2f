import { resolve } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ModelRegistry } from './model-registry'
import type { TaggerModel } from './tagger-model'
import { loadTaggerModel } from './tagger-model'

const FOLDER = resolve('test/fixtures/models/tiny-wd14')

/** Loads the real tiny tagger and counts loads and releases. */
function countingLoader() {
  const counts = { loads: 0, releases: 0 }
  const load = async (): Promise<TaggerModel> => {
    counts.loads++
    const model = await loadTaggerModel(FOLDER, 'auto')
    return {
      layout: model.layout,
      size: model.size,
      device: model.device,
      predict: (images) => model.predict(images),
      release: async () => {
        counts.releases++
        await model.release()
      },
    }
  }
  return { counts, load }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('ModelRegistry', () => {
  it('loads a model once for concurrent and later uses', async () => {
    const registry = new ModelRegistry(0)
    const { counts, load } = countingLoader()
    const sizes = await Promise.all([1, 2, 3].map(() => registry.use('tagger', load, async (model) => model.size)))
    await registry.use('tagger', load, async () => undefined)
    expect(sizes).toEqual([448, 448, 448])
    expect(counts).toEqual({ loads: 1, releases: 0 })
    expect(registry.state('tagger')).toEqual({ status: 'loaded' })
    await registry.unloadAll()
    expect(counts.releases).toBe(1)
    expect(registry.state('tagger')).toEqual({ status: 'unloaded' })
  })

  it('unloads after the idle time and loads again on the next use', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const registry = new ModelRegistry(30)
    const { counts, load } = countingLoader()
    await registry.preload('tagger', load)
    await vi.advanceTimersByTimeAsync(29_000)
    expect(counts.releases).toBe(0)
    await registry.use('tagger', load, async () => undefined)
    // The use restarted the idle clock.
    await vi.advanceTimersByTimeAsync(29_000)
    expect(counts.releases).toBe(0)
    await vi.advanceTimersByTimeAsync(2_000)
    expect(counts.releases).toBe(1)
    await registry.use('tagger', load, async () => undefined)
    expect(counts.loads).toBe(2)
    await registry.unloadAll()
  })

  it('never unloads a model while it is in use', async () => {
    const registry = new ModelRegistry(0)
    const { counts, load } = countingLoader()
    await registry.use('tagger', load, async () => {
      await registry.unload('tagger')
      expect(counts.releases).toBe(0)
    })
    await registry.unload('tagger')
    expect(counts.releases).toBe(1)
  })

  it('remembers a load failure for health reports and tries again on the next use', async () => {
    const registry = new ModelRegistry(0)
    let attempts = 0
    const failing = async (): Promise<TaggerModel> => {
      attempts++
      return loadTaggerModel(resolve('test/fixtures/models/does-not-exist'), 'auto')
    }
    await expect(registry.use('broken', failing, async () => undefined)).rejects.toThrow('does not exist')
    expect(registry.state('broken')).toEqual({ status: 'failed', reason: expect.stringContaining('Tagger disabled: the model folder') })
    await expect(registry.use('broken', failing, async () => undefined)).rejects.toThrow()
    expect(attempts).toBe(2)
  })
})
