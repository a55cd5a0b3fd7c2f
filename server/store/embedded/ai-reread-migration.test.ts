import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/helpers/library'
import { mayNeedAiReread } from '../ai-reread-rule'
import type { Store } from '../store'
import { migrate } from './migrations'
import { openSqliteStore } from './sqlite-store'

const mojibake = (text: string) => Buffer.from(text, 'utf8').toString('latin1')

/** Images as Sagasu stored them at schema 10, and whether the re-read rule marks each. */
const IMAGES: Array<{ path: string; format: string; type: string; ai?: Record<string, string | number | null>; marked: boolean }> = [
  { path: 'comfy.png', format: 'png', type: 'other', ai: { source: 'comfyui', prompt: 'a castle', steps: 20, seed: 1, sampler: 'euler' }, marked: true },
  { path: 'swarm-json.png', format: 'png', type: 'other', ai: { source: 'a1111', prompt: ' {"sui_image_params": {"prompt": "a fox"}}' }, marked: true },
  { path: 'fooocus-array.png', format: 'png', type: 'other', ai: { source: 'a1111', prompt: '[{"label": "Prompt", "value": "x"}]', steps: 30 }, marked: true },
  { path: 'nai-braces.png', format: 'png', type: 'other', ai: { source: 'novelai', prompt: '{{masterpiece}}, 1girl', steps: 28, seed: 3, sampler: 'k_euler' }, marked: false },
  { path: 'prompt-editing.png', format: 'png', type: 'other', ai: { source: 'a1111', prompt: '[cat:dog:0.5], garden', steps: 20, seed: 4, cfg: 7, sampler: 'Euler a' }, marked: false },
  { path: 'stability-matrix.png', format: 'png', type: 'other', ai: { source: 'a1111', prompt: mojibake('#テスト'), steps: 20, seed: 5, cfg: 7, sampler: 'Euler a' }, marked: true },
  { path: 'mojibake-negative.png', format: 'png', type: 'other', ai: { source: 'a1111', prompt: 'cat', negative_prompt: mojibake('低品質'), steps: 20, seed: 5, cfg: 7, sampler: 'Euler a' }, marked: true },
  { path: 'a1111.png', format: 'png', type: 'pixiv', ai: { source: 'a1111', prompt: 'café au lait, 1girl', steps: 20, seed: 6, cfg: 7, sampler: 'Euler a' }, marked: false },
  { path: 'free-text.jpg', format: 'jpeg', type: 'other', ai: { source: 'a1111', prompt: 'Shot on a phone' }, marked: true },
  { path: 'image-saver.png', format: 'png', type: 'other', ai: { source: 'a1111', prompt: 'unknown', steps: 20, seed: 0, sampler: 'euler', raw: 'unknown\nSteps: 20, Sampler: euler, CFG Scale: 7.0, Seed: 0' }, marked: true },
  { path: 'bare.png', format: 'png', type: 'other', marked: true },
  { path: 'bare.webp', format: 'webp', type: 'pixiv', marked: true },
  { path: 'bare.jpg', format: 'jpeg', type: 'yandere', marked: true },
  { path: 'tweet.jpg', format: 'jpeg', type: 'twitter', marked: false },
  { path: 'anim.gif', format: 'gif', type: 'other', marked: false },
  { path: 'photo.avif', format: 'avif', type: 'other', marked: false },
]

/** A database at schema 10 (before the errors by stage and the re-read mark) holding IMAGES and two error records. */
function schema10Database(dir: string): void {
  const db = new Database(join(dir, 'sagasu.db'))
  migrate(db, 10)
  const image = db.prepare(`INSERT INTO images (id, folder, path, filename, ext, filesize, mtime, hash, width, height, format, animated, frames, type, added_at, updated_at)
    VALUES (?, 'lib', ?, ?, ?, 100, 200, ?, 8, 8, ?, 0, 1, ?, 1, 1)`)
  const ai = db.prepare(`INSERT INTO ai_parameters (image_id, source, prompt, negative_prompt, seed, steps, cfg, sampler, model, extra, raw)
    VALUES (@id, @source, @prompt, @negative_prompt, @seed, @steps, @cfg, @sampler, NULL, NULL, @raw)`)
  IMAGES.forEach((entry, index) => {
    const id = index + 1
    image.run(id, entry.path, entry.path, entry.path.split('.').pop(), id.toString(16).padStart(16, '0'), entry.format, entry.type)
    if (entry.ai) ai.run({ id, negative_prompt: null, seed: null, steps: null, cfg: null, sampler: null, raw: `${entry.ai.prompt}`, ...entry.ai })
  })
  db.prepare("INSERT INTO errors (folder, path, stage, reason, level, filesize, mtime, at, transient) VALUES ('lib', 'broken.png', 'decode', 'truncated', 'error', 3, 4, 10, 1)").run()
  db.prepare("INSERT INTO errors (folder, path, stage, reason, level, filesize, mtime, at, transient) VALUES ('lib', 'a1111.png', 'probe', 'named .png but holds JPEG', 'warning', 100, 200, 11, 0)").run()
  db.close()
}

describe('migrations 11 and 12 on a store written at schema 10', () => {
  let store: Store | undefined
  afterEach(async () => {
    await store?.close()
    store = undefined
  })

  it('keeps every image, parameter and error record, and marks only the images the rule names', async () => {
    const dir = tempDir()
    schema10Database(dir)
    store = openSqliteStore(dir)
    const states = await store.fileStates('lib')
    expect(states.size).toBe(IMAGES.length)
    const marked = IMAGES.filter((entry) => states.get(entry.path)?.aiReread).map((entry) => entry.path)
    expect(marked).toEqual(IMAGES.filter((entry) => entry.marked).map((entry) => entry.path))
    // The servers profile marks with mayNeedAiReread: the same images as the SQL of migration 12.
    for (const entry of IMAGES) {
      const image = await store.findByPath('lib', entry.path)
      expect(mayNeedAiReread(image!), entry.path).toBe(entry.marked)
      if (entry.ai) expect(image?.ai?.prompt, entry.path).toBe(entry.ai.prompt)
    }
    expect(await store.listErrors()).toEqual([
      { folder: 'lib', path: 'broken.png', stage: 'decode', reason: 'truncated', level: 'error', transient: true, at: 10 },
      { folder: 'lib', path: 'a1111.png', stage: 'probe', reason: 'named .png but holds JPEG', level: 'warning', transient: false, at: 11 },
    ])
    expect(await store.failedFiles('lib')).toEqual(new Map([['broken.png', { path: 'broken.png', filesize: 3, mtime: 4, transient: true }]]))
  })

  it('keeps a record per file and stage: a warning beside another, one failure per file', async () => {
    const dir = tempDir()
    schema10Database(dir)
    store = openSqliteStore(dir)
    await store.recordError({ folder: 'lib', path: 'a1111.png', stage: 'ai-metadata', reason: 'comfyui prompt: node 4 cannot be followed', level: 'warning', filesize: 100, mtime: 200 })
    expect((await store.listErrors('lib')).filter((error) => error.path === 'a1111.png').map((error) => error.stage).sort()).toEqual(['ai-metadata', 'probe'])
    // The file now fails at another stage: that failure replaces the old one, the warnings stay.
    await store.recordError({ folder: 'lib', path: 'a1111.png', stage: 'thumbnail', reason: 'ENOSPC', level: 'error', transient: true, filesize: 100, mtime: 200 })
    await store.recordError({ folder: 'lib', path: 'a1111.png', stage: 'decode', reason: 'truncated', level: 'error', filesize: 100, mtime: 200 })
    expect((await store.listErrors('lib')).filter((error) => error.path === 'a1111.png').map((error) => `${error.level} ${error.stage}`).sort())
      .toEqual(['error decode', 'warning ai-metadata', 'warning probe'])
    expect((await store.failedFiles('lib')).get('a1111.png')).toEqual({ path: 'a1111.png', filesize: 100, mtime: 200, transient: false })
    await store.clearError('lib', 'a1111.png', 'ai-metadata')
    expect((await store.listErrors('lib')).filter((error) => error.path === 'a1111.png').map((error) => error.stage).sort()).toEqual(['decode', 'probe'])
    await store.clearError('lib', 'a1111.png')
    expect((await store.listErrors('lib')).map((error) => error.path)).toEqual(['broken.png'])
  })
})
