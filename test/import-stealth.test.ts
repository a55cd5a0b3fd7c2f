import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ImportCounts, SearchPage } from '../shared/types/api'
import { embedBits, encodePng, noisePixels, stealthBits } from '../workers/ai-metadata/stealth/stealth-writer.test-helper'
import { runCliJson } from './helpers/cli'
import { tempDir, writeConfig } from './helpers/library'

// Stealth metadata through the real import (`sagasu import` in a child process, real SQLite):
// files whose only metadata is in their pixels' low bits get their parameters and prompt search;
// noise and a lying signature import as plain images, never as errors.

const FIXTURES = join(import.meta.dirname, 'fixtures/aimeta-extra/stealth/files')

describe('sagasu import of PNGs with stealth metadata', () => {
  let config: string
  const json = async <T>(...args: string[]): Promise<T> => {
    const { code, body, stderr } = await runCliJson<T>(['--config', config, ...args])
    expect(code, stderr).toBe(0)
    return body
  }

  beforeAll(async () => {
    const dir = tempDir()
    const lib = join(dir, 'lib')
    mkdirSync(lib)
    config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' })
    copyFileSync(join(FIXTURES, 'automatic1111_stealth.png'), join(lib, 'a1111.png'))
    copyFileSync(join(FIXTURES, 'novelai-full-3char_stealth_only.png'), join(lib, 'novelai.png'))
    const image = { width: 64, height: 64, channels: 4 } as const
    writeFileSync(join(lib, 'noise.png'), await encodePng(image, noisePixels(64, 64, 4, 9, true)))
    const lying = embedBits({ ...image, pixels: noisePixels(64, 64, 4, 10, true) }, stealthBits('stealth_pngcomp', Buffer.alloc(0), 0xfffffff8), 'alpha')
    writeFileSync(join(lib, 'lying.png'), await encodePng(image, lying))
  })

  it('stores the parameters of the stealth copies and nothing for noise', async () => {
    expect(await json<ImportCounts>('import')).toMatchObject({ added: 4, errors: 0 })
    const byName = new Map((await json<SearchPage>('search', '--limit', '10')).results.map((r) => [r.filename, r]))
    expect(byName.get('a1111.png')?.ai).toMatchObject({ source: 'a1111', prompt: 'a circle', negativePrompt: 'a square', steps: 20, cfg: 7, seed: 2015833630, sampler: 'Euler' })
    expect(byName.get('novelai.png')?.ai).toMatchObject({ source: 'novelai', seed: 1702945580, steps: 28, cfg: 5, sampler: 'k_euler_ancestral' })
    expect(byName.get('noise.png')?.ai).toBeUndefined()
    expect(byName.get('lying.png')?.ai).toBeUndefined()
  })

  it('finds them by prompt', async () => {
    const found = await json<SearchPage>('search', '--query', 'prompt;"white background"')
    expect(found.results.map((r) => r.filename)).toEqual(['novelai.png'])
  })
})
