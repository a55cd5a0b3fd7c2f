import type Database from 'better-sqlite3'
import type { SourceType } from '../../../../shared/types/image'
import type { ImageFacts } from './memory-index'
import { MemoryIndex } from './memory-index'

/** Rows read between two yields to the event loop while loading, so the server keeps answering. */
const CHUNK_ROWS = 50_000

/**
 * Reads the memory index's facts from SQLite: everything at once (`load`, in chunks that yield to
 * the event loop) and one image at a time (`facts`, before and after each write).
 *
 * @example
 * const source = new IndexSource(db)
 * const index = await source.load()
 */
export class IndexSource {
  private readonly statements

  constructor(db: Database.Database) {
    this.statements = {
      image: db.prepare<[number], { type: SourceType; textlen: number; text: string | null }>('SELECT type, textlen, text FROM images WHERE id = ?'),
      ai: db.prepare<[number], { prompt: string; negative_prompt: string | null }>('SELECT prompt, negative_prompt FROM ai_parameters WHERE image_id = ?'),
      tags: db.prepare<[number], { tag_id: number; score: number }>('SELECT tag_id, score FROM image_tags WHERE image_id = ?'),
      tagScores: db.prepare<[number], [number, number]>('SELECT image_id, score FROM image_tags WHERE tag_id = ?').raw(),
      tags1: db.prepare<[number], string>('SELECT value FROM tags1 WHERE image_id = ?').pluck(),
      images: db.prepare<[number, number], { id: number; type: SourceType; textlen: number; text: string | null }>(
        'SELECT id, type, textlen, text FROM images WHERE id > ? ORDER BY id LIMIT ?'),
      prompts: db.prepare<[number, number], { image_id: number; prompt: string; negative_prompt: string | null }>(
        'SELECT image_id, prompt, negative_prompt FROM ai_parameters WHERE image_id > ? ORDER BY image_id LIMIT ?'),
      tagNames: db.prepare<[], number>('SELECT id FROM tag_names WHERE image_count > 0 ORDER BY id').pluck(),
      taggedImages: db.prepare<[number], number>('SELECT image_id FROM image_tags WHERE tag_id = ?').pluck(),
      tags1Values: db.prepare<[string, number], string>('SELECT DISTINCT value FROM tags1 WHERE value > ? ORDER BY value LIMIT ?').pluck(),
      tags1Images: db.prepare<[string], number>('SELECT image_id FROM tags1 WHERE value = ? ORDER BY image_id').pluck(),
    }
  }

  /** One image as it is now, or undefined when it does not exist. */
  facts(id: number): ImageFacts | undefined {
    const image = this.statements.image.get(id)
    if (!image) return undefined
    const ai = this.statements.ai.get(id)
    const tags = this.statements.tags.all(id)
    return {
      id,
      type: image.type,
      textlen: image.textlen,
      text: image.text,
      prompt: ai?.prompt ?? null,
      negative: ai?.negative_prompt ?? null,
      tagIds: tags.map((tag) => tag.tag_id),
      tagScores: tags.map((tag) => tag.score),
      tags1: this.statements.tags1.all(id),
    }
  }

  /**
   * Builds an index from the database. Writes made while it loads (between chunks) must be applied
   * to the returned-to-be index through `forget`/`learn` as they happen: each chunk reads committed
   * data, so a change lands either in a chunk read after it or in the part already loaded.
   */
  /** A tag's images and scores, for the index's score column of it. */
  tagScores(tagId: number): { ids: Int32Array; scores: Float64Array } {
    const rows = this.statements.tagScores.all(tagId)
    return { ids: Int32Array.from(rows, (row) => row[0]), scores: Float64Array.from(rows, (row) => row[1]) }
  }

  async load(index: MemoryIndex = new MemoryIndex()): Promise<MemoryIndex> {
    const { images, prompts, tagNames, taggedImages, tags1Values, tags1Images } = this.statements
    for (let after = -1; ;) {
      const rows = images.all(after, CHUNK_ROWS)
      for (const row of rows) {
        index.loadImage(row.id, row.type, row.textlen)
        if (row.text !== null) index.loadText('ocr', row.id, row.text)
      }
      if (rows.length < CHUNK_ROWS) break
      after = rows.at(-1)!.id
      await yieldToEventLoop()
    }
    for (let after = -1; ;) {
      const rows = prompts.all(after, CHUNK_ROWS)
      for (const row of rows) {
        index.loadText('prompt', row.image_id, row.prompt)
        if (row.negative_prompt !== null) index.loadText('negative', row.image_id, row.negative_prompt)
      }
      if (rows.length < CHUNK_ROWS) break
      after = rows.at(-1)!.image_id
      await yieldToEventLoop()
    }
    let rowsSinceYield = 0
    for (const tagId of tagNames.all()) {
      const ids = Int32Array.from(taggedImages.all(tagId)).sort()
      index.loadTag(tagId, ids)
      rowsSinceYield += ids.length + 100
      if (rowsSinceYield >= CHUNK_ROWS) {
        rowsSinceYield = 0
        await yieldToEventLoop()
      }
    }
    for (let after = ''; ;) {
      const values = tags1Values.all(after, 500)
      for (const value of values) index.loadTags1(value, Int32Array.from(tags1Images.all(value)))
      if (values.length < 500) break
      after = values.at(-1)!
      await yieldToEventLoop()
    }
    return index
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
