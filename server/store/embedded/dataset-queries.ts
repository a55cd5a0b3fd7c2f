import type Database from 'better-sqlite3'
import type { DatasetSplit } from '../../../shared/types/dataset'
import type { SourceType, TagCategory, TagInfo } from '../../../shared/types/image'
import type { BatchMember, BatchSetRecord, DatasetCounts, ImageKey } from '../store'
import type { SqlFragment } from './sql-filter'

/** How a split is stored in `batch_members.split`. */
const SPLIT_CODES: Record<DatasetSplit, number> = { train: 0, validation: 1, test: 2 }

interface BatchSetRow {
  id: string
  created_at: number
  batch_size: number
  validation_split: number
  test_split: number
  seed: number | string
  query: string
  train_images: number
  validation_images: number
  test_images: number
}

/** A stored member with the id of the image that holds its content now (null: none does). */
export interface ResolvedMember {
  position: number
  member: ImageKey
  currentId: number | null
}

/** Reads the matching images after an id, in id order: one chunk of `matchingImageKeys`. */
export type KeyChunkReader = (afterId: number, limit: number) => ImageKey[]

/**
 * The SQL of the dataset API (batch sets, dataset counts), prepared once per connection;
 * SqliteStore delegates to it.
 *
 * @example
 * const dataset = prepareDatasetQueries(db)
 * dataset.getBatchSet('df31e073520a47ffbeaec9d7ad74ebb2')
 */
export function prepareDatasetQueries(db: Database.Database) {
  const statements = {
    countImages: db.prepare<[], number>('SELECT count(*) FROM images').pluck(),
    countByType: db.prepare<[], { type: SourceType; n: number }>('SELECT type, count(*) AS n FROM images GROUP BY type'),
    countTags: db.prepare<[], number>('SELECT count(*) FROM tag_names WHERE image_count > 0').pluck(),
    countRatings: db.prepare<[], number>("SELECT count(*) FROM tag_names WHERE image_count > 0 AND name GLOB 'rating:*'").pluck(),
    tagInfo: db.prepare<[string], { name: string; category: TagCategory; count: number }>(
      'SELECT name, category, image_count AS count FROM tag_names WHERE name = ?'),
    insertSet: db.prepare<BatchSetRow>(`INSERT INTO batch_sets (id, created_at, batch_size, validation_split, test_split, seed, query,
        train_images, validation_images, test_images)
      VALUES (@id, @created_at, @batch_size, @validation_split, @test_split, @seed, @query, @train_images, @validation_images, @test_images)`),
    insertMember: db.prepare<[number | bigint, number, number, number, string]>(
      'INSERT INTO batch_members (set_key, split, position, image_id, hash) VALUES (?, ?, ?, ?, ?)'),
    listSets: db.prepare<[], string>('SELECT id FROM batch_sets ORDER BY key').pluck(),
    getSet: db.prepare<[string], BatchSetRow>('SELECT * FROM batch_sets WHERE id = ?'),
    deleteSet: db.prepare<[string]>('DELETE FROM batch_sets WHERE id = ?'),
    // The recorded image if it still has the recorded content, else the oldest image with that content.
    members: db.prepare<[string, number, number, number], { position: number; id: number; hash: string; current_id: number | null }>(`
      SELECT m.position, m.image_id AS id, m.hash,
             coalesce((SELECT i.id FROM images i WHERE i.id = m.image_id AND i.hash = m.hash),
                      (SELECT min(i.id) FROM images i WHERE i.hash = m.hash)) AS current_id
      FROM batch_members m
      WHERE m.set_key = (SELECT key FROM batch_sets WHERE id = ?) AND m.split = ? AND m.position >= ? AND m.position < ?
      ORDER BY m.position`),
  }

  return {
    counts(): DatasetCounts {
      const byType: Record<SourceType, number> = { pixiv: 0, twitter: 0, yandere: 0, danbooru: 0, other: 0 }
      for (const row of statements.countByType.all()) byType[row.type] = row.n
      return { images: statements.countImages.get()!, tags: statements.countTags.get()!, ratings: statements.countRatings.get()!, byType }
    },

    tagInfo(name: string): TagInfo | undefined {
      return statements.tagInfo.get(name)
    },

    /** A reader for the images matching a compiled filter (written against `from`). */
    keyChunkReader(filter: SqlFragment, from: string): KeyChunkReader {
      const statement = db.prepare<Array<string | number>, [number, string]>(
        `SELECT i.id, i.hash ${from} WHERE (${filter.sql}) AND i.id > ? ORDER BY i.id LIMIT ?`).raw()
      return (afterId, limit) => statement.all(...filter.params, afterId, limit).map(([id, hash]) => ({ id, hash }))
    },

    /** One transaction: a set is stored whole or not at all. */
    saveBatchSet(set: BatchSetRecord, members: Iterable<BatchMember>): void {
      db.transaction(() => {
        const key = statements.insertSet.run({
          id: set.id,
          created_at: set.createdAt,
          batch_size: set.batchSize,
          validation_split: set.validationSplit,
          test_split: set.testSplit,
          seed: set.seed,
          query: set.query,
          train_images: set.images.train,
          validation_images: set.images.validation,
          test_images: set.images.test,
        }).lastInsertRowid
        for (const member of members) statements.insertMember.run(key, SPLIT_CODES[member.split], member.position, member.id, member.hash)
      }).immediate()
    },

    listBatchSets(): string[] {
      return statements.listSets.all()
    },

    getBatchSet(id: string): BatchSetRecord | undefined {
      const row = statements.getSet.get(id)
      if (!row) return undefined
      return {
        id: row.id,
        createdAt: row.created_at,
        batchSize: row.batch_size,
        validationSplit: row.validation_split,
        testSplit: row.test_split,
        seed: row.seed,
        query: row.query,
        images: { train: row.train_images, validation: row.validation_images, test: row.test_images },
      }
    },

    members(id: string, split: DatasetSplit, offset: number, limit: number): ResolvedMember[] {
      return statements.members.all(id, SPLIT_CODES[split], offset, offset + limit).map((row) => ({
        position: row.position,
        member: { id: row.id, hash: row.hash },
        currentId: row.current_id,
      }))
    },

    deleteBatchSet(id: string): boolean {
      return statements.deleteSet.run(id).changes > 0
    },
  }
}

export type DatasetQueries = ReturnType<typeof prepareDatasetQueries>
