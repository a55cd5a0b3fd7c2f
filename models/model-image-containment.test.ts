/**
 * The model stages read originals long after the import checked them: a file swapped for a link
 * out of its folder in between must not hand the link's target to the tagger, CLIP or OCR (its
 * tags, vector or text would become searchable).
 */
import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../test/helpers/library'
import { COLOURS, solidImage } from '../test/helpers/model-images'
import { decodeForOcr } from './ocr/decode-pixels'
import { DEFAULT_PREPROCESS_LIMITS } from './ocr/preprocess'
import { loadModelImage } from './model-image'

describe('model stages read originals inside their folder only', () => {
  let lib: string
  beforeAll(async () => {
    const root = tempDir()
    lib = join(root, 'lib')
    mkdirSync(lib, { recursive: true })
    await solidImage(root, 'outside.png', COLOURS.red)
    await solidImage(lib, 'inside.png', COLOURS.blue)
    symlinkSync(join(root, 'outside.png'), join(lib, 'swapped.png'))
    symlinkSync(join(lib, 'inside.png'), join(lib, 'alias.png'))
  })

  it('refuses a link out of the folder, naming the reason, and still reads files and links inside', async () => {
    await expect(loadModelImage(join(lib, 'swapped.png'), 32, 'cover', lib)).rejects.toThrow(/symbolic link leads outside the folder/)
    await expect(decodeForOcr(join(lib, 'swapped.png'), DEFAULT_PREPROCESS_LIMITS, lib)).rejects.toThrow(/symbolic link leads outside the folder/)
    expect((await loadModelImage(join(lib, 'alias.png'), 32, 'pad-white', lib)).data.length).toBe(32 * 32 * 3)
    expect((await decodeForOcr(join(lib, 'inside.png'), DEFAULT_PREPROCESS_LIMITS, lib)).width).toBeGreaterThan(0)
  })

  it('says a vanished file no longer exists', async () => {
    await expect(loadModelImage(join(lib, 'gone.png'), 32, 'cover', lib)).rejects.toThrow('the file no longer exists')
  })
})
