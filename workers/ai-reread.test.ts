import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { MongoClient } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema, type SagasuConfig } from '../config/schema'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import type { Store } from '../server/store/store'
import { startFerretDb, type FerretDbServer } from '../test/helpers/ferretdb'
import { colorOf, tempDir, writeImage } from '../test/helpers/library'
import { openTempServersStore } from '../test/helpers/servers-store'
import { writePngTextChunks } from './ai-metadata/png-chunks'
import { runImport } from './import'
import type { PipelineContext } from './pipeline-context'
import { AI_METADATA_STAGE } from './stages/ai-metadata-warnings'
import { thumbnailPath } from './stages/thumbnail.stage'

/** A1111 text in UTF-8 (iTXt): the old reader stored it as Latin-1 mojibake when it came in tEXt. */
const JAPANESE = '#テスト 1girl, solo\nNegative prompt: lowres\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 5, Size: 64x48'
const PLAIN = 'a cat\nSteps: 12, Sampler: DPM++ 2M, CFG scale: 5, Seed: 9, Size: 64x48'
const mojibake = (text: string) => Buffer.from(text, 'utf8').toString('latin1')

/**
 * A store profile under test: how to open it, and how to put an image back as an older Sagasu
 * left it (parameters as the old reader read them, no re-read mark, the schema before the mark).
 */
interface Profile {
  open(): Store
  /** Closes the store, rewinds it to before the mark with these stored prompts, and opens it again (the marking runs). */
  rewind(store: Store, prompts: Record<string, string>): Promise<Store>
}

async function writeLibrary(lib: string): Promise<void> {
  const png = async (name: string, index: number, text?: Record<string, string>) => {
    const path = join(lib, name)
    const image = await writeImage(path, { color: colorOf(index) })
    if (text) writeFileSync(path, writePngTextChunks(image, text, { chunkType: 'iTXt' }))
  }
  await png('japanese.png', 1, { parameters: JAPANESE })
  await png('plain.png', 2, { parameters: PLAIN })
  // No metadata: marked (stealth or InvokeAI data may be there), but reading again finds none.
  await png('bare.png', 3)
  // Named as a Twitter download: Twitter keeps no metadata, so it is not marked.
  await png('twitter_name(@user)_20240101-000000_1234567890123456789_photo.png', 4)
  // A prompt chunk that is no graph: a warning naming the generator and the field.
  await png('broken-graph.png', 5, { prompt: '{"3": {"class_type": "KSampler", "inputs": ' })
}

function contextFor(config: SagasuConfig, store: Store): PipelineContext {
  return { config, store, worker: 'test/1', log: () => undefined }
}

function describeProfile(name: string, makeProfile: () => Promise<Profile & { dispose(): Promise<void> }>) {
  describe(`re-reading AI metadata after the readers changed (${name})`, () => {
    let profile: Profile & { dispose(): Promise<void> }
    let config: SagasuConfig
    let lib: string
    let store: Store

    beforeAll(async () => {
      const dir = tempDir()
      lib = join(dir, 'lib')
      await writeLibrary(lib)
      profile = await makeProfile()
      config = configSchema.parse({ dataDir: join(dir, 'data'), folders: [{ name: 'lib', path: lib }], watch: { enabled: false } })
      store = profile.open()
    }, 120_000)

    afterAll(async () => {
      await store?.close()
      await profile?.dispose()
    })

    it('records the warning of a file whose metadata could not be resolved, next to the extension warning, and keeps both while the file is unchanged', async () => {
      const counts = await runImport(contextFor(config, store), { folders: config.folders, concurrency: 2 })
      expect(counts).toMatchObject({ scanned: 5, added: 5, errors: 0 })
      const warning = { folder: 'lib', path: 'broken-graph.png', stage: AI_METADATA_STAGE, level: 'warning', transient: false }
      expect(await store.listErrors()).toEqual([expect.objectContaining({ ...warning, reason: expect.stringMatching(/^comfyui metadata: the prompt text is there but holds no ComfyUI graph/) })])
      // A second record of the same file at another stage (what the extension check writes) leaves the first.
      await store.recordError({ folder: 'lib', path: 'broken-graph.png', stage: 'probe', reason: 'named .png but holds JPEG', level: 'warning' })
      const again = await runImport(contextFor(config, store), { folders: config.folders, concurrency: 2 })
      expect(again).toMatchObject({ unchanged: 5, updated: 0 })
      expect((await store.listErrors()).map((error) => error.stage).sort()).toEqual([AI_METADATA_STAGE, 'probe'])
      // A clean read of the file drops its warning.
      const path = join(lib, 'broken-graph.png')
      writeFileSync(path, writePngTextChunks(await writeImage(path, { color: colorOf(5) }), { parameters: PLAIN }, { chunkType: 'iTXt' }))
      expect(await runImport(contextFor(config, store), { folders: config.folders, concurrency: 2 })).toMatchObject({ updated: 1 })
      expect(await store.listErrors()).toEqual([])
    })

    it('marks only the images the old readers may have got wrong, and the next import reads only their metadata again', async () => {
      const before = await store.findByPath('lib', 'japanese.png')
      expect(before?.ai?.prompt).toBe('#テスト 1girl, solo')
      // What was computed for the image besides its metadata must survive the re-read.
      await store.setTags(before!.id, [{ name: 'solo', score: 0.9, category: 'general' }])
      await store.setOcrText(before!.id, 'テキスト')
      await store.markStageDone([before!.id], 'tagger', 'v1')

      store = await profile.rewind(store, { 'japanese.png': mojibake('#テスト 1girl, solo') })
      const stale = await store.findByPath('lib', 'japanese.png')
      expect(stale?.ai?.prompt).toBe(mojibake('#テスト 1girl, solo'))
      const marked = [...(await store.fileStates('lib'))].filter(([, state]) => state.aiReread).map(([path]) => path).sort()
      expect(marked).toEqual(['bare.png', 'japanese.png'])
      const updatedAt = new Map((await Promise.all([...(await store.fileStates('lib')).keys()].map((path) => store.findByPath('lib', path)))).map((image) => [image!.path, image!.updatedAt]))
      const thumbnailTime = statSync(thumbnailPath(config.dataDir, before!.hash)).mtimeMs

      const counts = await runImport(contextFor(config, store), { folders: config.folders, concurrency: 2 })
      // The mojibake is read right now (updated); the bare file is read again and still holds nothing (unchanged).
      expect(counts).toMatchObject({ scanned: 5, added: 0, updated: 1, unchanged: 4, errors: 0, removed: 0 })
      const after = await store.findByPath('lib', 'japanese.png')
      expect(after).toMatchObject({ id: before!.id, hash: before!.hash, tags: { solo: 0.9 }, text: 'テキスト', ai: { prompt: '#テスト 1girl, solo', negativePrompt: 'lowres', seed: 5 } })
      expect(await store.stageCounts('tagger', 'v1')).toMatchObject({ done: 1 })
      expect((await store.searchPrompts({ query: 'テスト', limit: 10 })).results.map((hit) => hit.id)).toEqual([before!.id])
      // Only the marked files were read again: the others' records were not written.
      for (const [path, at] of updatedAt) {
        const now = (await store.findByPath('lib', path))!.updatedAt
        if (path === 'japanese.png' || path === 'bare.png') expect(now, path).toBeGreaterThanOrEqual(at)
        else expect(now, path).toBe(at)
      }
      expect([...(await store.fileStates('lib')).values()].filter((state) => state.aiReread)).toEqual([])
      // No thumbnail was made again.
      expect(statSync(thumbnailPath(config.dataDir, before!.hash)).mtimeMs).toBe(thumbnailTime)
      // The marks are gone: the next import reads nothing.
      expect(await runImport(contextFor(config, store), { folders: config.folders, concurrency: 2 })).toMatchObject({ unchanged: 5, updated: 0 })
    })

    it('indexes a marked file whole when its content changed under the same size and mtime (the hash check stays)', async () => {
      const path = join(lib, 'plain.png')
      const before = await store.findByPath('lib', 'plain.png')
      store = await profile.rewind(store, { 'plain.png': JSON.stringify({ prompt: 'a cat' }) })
      expect((await store.fileStates('lib')).get('plain.png')?.aiReread).toBe(true)
      const { mtime, size } = statSync(path)
      const bytes = readFileSync(path)
      // Same length, other content: one pixel byte of the iTXt text changed ("a cat" → "a dog").
      const changed = Buffer.from(bytes.toString('latin1').replace('a cat', 'a dog'), 'latin1')
      expect(changed.length).toBe(size)
      writeFileSync(path, changed)
      utimesSync(path, mtime, mtime)
      const counts = await runImport(contextFor(config, store), { folders: config.folders, concurrency: 2 })
      expect(counts).toMatchObject({ updated: 1, errors: 0 })
      const after = await store.findByPath('lib', 'plain.png')
      expect(after?.hash).not.toBe(before?.hash)
      expect(after?.ai?.prompt).toBe('a dog')
    })
  })
}

describeProfile('embedded', async () => {
  const dataDir = tempDir()
  return {
    open: () => openSqliteStore(dataDir),
    async rewind(store, prompts) {
      await store.close()
      const db = new Database(join(dataDir, 'sagasu.db'))
      // Schema 11: the errors by stage, no re-read mark (12), md5 column (13) nor model-stage leases (14) yet.
      db.exec('DROP INDEX images_md5; ALTER TABLE images DROP COLUMN md5; ALTER TABLE images DROP COLUMN ai_reread; DROP TABLE stage_leases')
      db.pragma('user_version = 11')
      for (const [path, prompt] of Object.entries(prompts)) {
        db.prepare('UPDATE ai_parameters SET prompt = ? WHERE image_id = (SELECT id FROM images WHERE path = ?)').run(prompt, path)
      }
      db.close()
      return openSqliteStore(dataDir)
    },
    dispose: async () => undefined,
  }
})

describeProfile('servers (FerretDB)', async () => {
  const ferret: FerretDbServer = await startFerretDb()
  const { database } = openTempServersStore(ferret.url)
  const client = new MongoClient(ferret.url)
  return {
    open: () => openTempServersStore(ferret.url, database).store,
    async rewind(store, prompts) {
      await store.close()
      const db = client.db(database)
      await db.collection('counters').deleteOne({ _id: 'schema' as never })
      await db.collection('images').updateMany({}, { $unset: { aiReread: '' } })
      for (const [path, prompt] of Object.entries(prompts)) await db.collection('images').updateOne({ path }, { $set: { 'ai.prompt': prompt } })
      return openTempServersStore(ferret.url, database).store
    },
    async dispose() {
      await client.close()
      await ferret.stop()
    },
  }
})
