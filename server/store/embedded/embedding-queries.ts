import type Database from 'better-sqlite3'

/** One embedding as stored: the image id and its float32 bytes. */
export interface EmbeddingRow {
  image_id: number
  vector: Buffer
}

/** An embedding change from the log: the image whose vector for the model changed (or went). */
export interface EmbeddingChange {
  seq: number
  imageId: number
}

/** Ids per `IN (json_each)` statement when reading the vectors of a set of images. */
const IDS_PER_READ = 20_000

/**
 * The SQL of image embeddings (table `image_embeddings` and its change log, migration 7), prepared
 * once per connection; SqliteStore and the vector index delegate to it.
 *
 * @example
 * const embeddings = new EmbeddingQueries(db)
 * embeddings.save(12, 'clip', bytes, 512)
 */
export class EmbeddingQueries {
  private readonly statements

  constructor(private readonly db: Database.Database) {
    this.statements = {
      upsert: db.prepare<[string, number, number, Buffer, number]>(`INSERT INTO image_embeddings (model, image_id, dims, vector, updated_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (model, image_id) DO UPDATE SET dims = excluded.dims, vector = excluded.vector, updated_at = excluded.updated_at`),
      get: db.prepare<[string, number], Buffer>('SELECT vector FROM image_embeddings WHERE model = ? AND image_id = ?').pluck(),
      imageExists: db.prepare<[number], number>('SELECT 1 FROM images WHERE id = ?').pluck(),
      dims: db.prepare<[string], number>('SELECT dims FROM image_embeddings WHERE model = ? LIMIT 1').pluck(),
      count: db.prepare<[string], number>('SELECT count(*) FROM image_embeddings WHERE model = ?').pluck(),
      models: db.prepare<[], string>('SELECT DISTINCT model FROM image_embeddings ORDER BY model').pluck(),
      without: db.prepare<[string, number], number>(
        'SELECT i.id FROM images i WHERE NOT EXISTS (SELECT 1 FROM image_embeddings e WHERE e.model = ? AND e.image_id = i.id) ORDER BY i.id LIMIT ?').pluck(),
      deleteForImage: db.prepare<[number]>('DELETE FROM image_embeddings WHERE image_id = ?'),
      chunk: db.prepare<[string, number, number], EmbeddingRow>(
        'SELECT image_id, vector FROM image_embeddings WHERE model = ? AND image_id > ? ORDER BY image_id LIMIT ?'),
      ofIds: db.prepare<[string, string], EmbeddingRow>(
        // CROSS JOIN keeps the id list outside: SQLite would otherwise scan the table and search the list per row.
        'SELECT e.image_id, e.vector FROM json_each(?) j CROSS JOIN image_embeddings e ON e.model = ? AND e.image_id = j.value'),
      lastSeq: db.prepare<[], number | null>("SELECT seq FROM sqlite_sequence WHERE name = 'embedding_changes'").pluck(),
      changes: db.prepare<[string, number, number], { seq: number; image_id: number }>(
        'SELECT seq, image_id FROM embedding_changes WHERE model = ? AND seq > ? ORDER BY seq LIMIT ?'),
      pendingChanges: db.prepare<[string, number], number>('SELECT count(*) FROM embedding_changes WHERE model = ? AND seq > ?').pluck(),
      floor: db.prepare<[string], number>('SELECT seq FROM embedding_log_floor WHERE model = ?').pluck(),
      prune: db.prepare<[string, number]>('DELETE FROM embedding_changes WHERE model = ? AND seq <= ?'),
      setFloor: db.prepare<[string, number]>(`INSERT INTO embedding_log_floor (model, seq) VALUES (?, ?)
        ON CONFLICT (model) DO UPDATE SET seq = max(seq, excluded.seq)`),
    }
  }

  /** Inserts or replaces; false when there is no image with this id. */
  save(imageId: number, model: string, bytes: Buffer, dims: number): boolean {
    if (this.statements.imageExists.get(imageId) === undefined) return false
    this.statements.upsert.run(model, imageId, dims, bytes, Date.now())
    return true
  }

  get(imageId: number, model: string): Buffer | undefined {
    return this.statements.get.get(model, imageId)
  }

  /** The dimension of the model's stored vectors, undefined when it has none. */
  dims(model: string): number | undefined {
    return this.statements.dims.get(model)
  }

  count(model: string): number {
    return this.statements.count.get(model) ?? 0
  }

  models(): string[] {
    return this.statements.models.all()
  }

  imagesWithout(model: string, limit: number): number[] {
    return this.statements.without.all(model, limit)
  }

  /** Model outputs of an image's old content no longer apply. */
  deleteForImage(imageId: number): void {
    this.statements.deleteForImage.run(imageId)
  }

  /** The model's embeddings after an image id, in id order. */
  chunk(model: string, afterId: number, limit: number): EmbeddingRow[] {
    return this.statements.chunk.all(model, afterId, limit)
  }

  /** Every embedding of the model, in chunks in id order. */
  *all(model: string): IterableIterator<EmbeddingRow[]> {
    let after = 0
    for (;;) {
      const rows = this.chunk(model, after, IDS_PER_READ)
      if (rows.length) yield rows
      if (rows.length < IDS_PER_READ) return
      after = rows.at(-1)!.image_id
    }
  }

  /** The embeddings of the given images that have one, in chunks of statements. */
  *ofIds(model: string, ids: ArrayLike<number>): IterableIterator<EmbeddingRow[]> {
    for (let start = 0; start < ids.length; start += IDS_PER_READ) {
      const slice = Array.prototype.slice.call(ids, start, start + IDS_PER_READ) as number[]
      yield this.statements.ofIds.all(JSON.stringify(slice), model)
    }
  }

  /** The newest change's sequence number (0 before any). */
  lastSeq(): number {
    return this.statements.lastSeq.get() ?? 0
  }

  /** The model's changes after `seq`, oldest first. */
  changesAfter(model: string, seq: number, limit: number): EmbeddingChange[] {
    return this.statements.changes.all(model, seq, limit).map((row) => ({ seq: row.seq, imageId: row.image_id }))
  }

  /** Changes at or below this have been pruned from the log (0: none). */
  logFloor(model: string): number {
    return this.statements.floor.get(model) ?? 0
  }

  /** Drops the model's changes up to `seq`, which a saved index holds; never lowers the floor. */
  pruneChanges(model: string, seq: number): void {
    this.db.transaction(() => {
      this.statements.setFloor.run(model, seq)
      this.statements.prune.run(model, seq)
    }).immediate()
  }

  pendingChanges(model: string, seq: number): number {
    return this.statements.pendingChanges.get(model, seq) ?? 0
  }

  transaction<T>(run: () => T): T {
    return this.db.transaction(run).immediate()
  }
}
