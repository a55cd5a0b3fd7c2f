import { pixivWork } from '../pixiv-work'
import type Database from 'better-sqlite3'
import type { PixivTag, PixivWork, SourceType } from '../../../shared/types/image'
import { pixivTags1 } from '../pixiv-tags1'
import type { PixivCounts, PixivOutcome, PixivPendingWork } from '../store'

/** A `pixiv_works` row (see migration 4). */
interface WorkRow {
  illustid: string
  status: string
  metadata_at: number | null
  title: string | null
  user_id: string | null
  user_name: string | null
  create_date: number | null
  views: number | null
  likes: number | null
  bookmarks: number | null
  comments: number | null
  description: string | null
  tags: string | null
}

/** Rewrites an image's tags1 and keeps the full-text row in step (the store owns both). */
export type Tags1Writer = (imageId: number, tags1: string[]) => void

/**
 * The embedded store's pixiv metadata: fetch outcomes per work in `pixiv_works`, copied onto the
 * work's page images (the query fields title, views, likes, bookmarks, comments, and user name,
 * user id, date and tags1). SqliteStore delegates here; every method runs synchronously, inside
 * the caller's transaction when there is one.
 */
export class PixivQueries {
  private readonly statements

  constructor(private readonly db: Database.Database, private readonly writeTags1: Tags1Writer) {
    this.statements = {
      // Oldest images first, so a limited run works through the library in a stable order.
      pending: db.prepare<[string, string, number], { illustid: string; userid: string | null }>(`
        SELECT i.illustid AS illustid, max(i.userid) AS userid
        FROM images i LEFT JOIN pixiv_works w ON w.illustid = i.illustid
        WHERE i.type = 'pixiv' AND i.illustid IS NOT NULL
          AND (w.illustid IS NULL OR (w.metadata_at IS NULL AND w.status IN ('failed', ?, ?)))
        GROUP BY i.illustid ORDER BY min(i.id) LIMIT ?`),
      recordOutcome: db.prepare<{ illustid: string; status: string; message: string; requests: number; now: number }>(`
        INSERT INTO pixiv_works (illustid, status, message, attempts, fetched_at) VALUES (@illustid, @status, @message, @requests, @now)
        ON CONFLICT (illustid) DO UPDATE SET status = excluded.status, message = excluded.message,
          attempts = pixiv_works.attempts + excluded.attempts, fetched_at = excluded.fetched_at`),
      recordWork: db.prepare(`
        INSERT INTO pixiv_works (illustid, status, message, attempts, fetched_at, metadata_at, title, user_id, user_name,
            create_date, views, likes, bookmarks, comments, description, tags)
          VALUES (@illustid, 'ok', NULL, @requests, @now, @now, @title, @userId, @userName,
            @createDate, @views, @likes, @bookmarks, @comments, @description, @tags)
        ON CONFLICT (illustid) DO UPDATE SET status = 'ok', message = NULL, attempts = pixiv_works.attempts + excluded.attempts,
          fetched_at = excluded.fetched_at, metadata_at = excluded.metadata_at, title = excluded.title, user_id = excluded.user_id,
          user_name = excluded.user_name, create_date = excluded.create_date, views = excluded.views, likes = excluded.likes,
          bookmarks = excluded.bookmarks, comments = excluded.comments, description = excluded.description, tags = excluded.tags`),
      work: db.prepare<[string], WorkRow>('SELECT * FROM pixiv_works WHERE illustid = ? AND metadata_at IS NOT NULL'),
      imagesOfWork: db.prepare<[string], { id: number }>("SELECT id FROM images WHERE illustid = ? AND type = 'pixiv'"),
      sourceOf: db.prepare<[number], { type: SourceType; illustid: string | null }>('SELECT type, illustid FROM images WHERE id = ?'),
      // The user name is pixiv's current one, unless the file name named another user of the work.
      apply: db.prepare(`
        UPDATE images SET title = @title, views = @views, likes = @likes, bookmarks = @bookmarks, comments = @comments,
          userid = coalesce(userid, @userId),
          username = CASE WHEN userid IS NULL OR userid = @userId THEN coalesce(@userName, username) ELSE username END,
          date = coalesce(date, @createDate), updated_at = @now
        WHERE id = @id`),
      clear: db.prepare<[number]>(`
        UPDATE images SET title = NULL, views = NULL, likes = NULL, bookmarks = NULL, comments = NULL
        WHERE id = ? AND (title IS NOT NULL OR views IS NOT NULL)`),
      // Per (type, user id) missing a name: pixiv's newest name for the user, else the newest name an image has.
      propagate: db.prepare<[number]>(`
        WITH wanted AS (
          SELECT DISTINCT type, userid FROM images WHERE username IS NULL AND userid IS NOT NULL
        ), names AS (
          SELECT 'pixiv' AS type, w.user_id AS userid, w.user_name AS name, 1 AS rank, w.metadata_at AS at
          FROM pixiv_works w JOIN wanted ON wanted.type = 'pixiv' AND wanted.userid = w.user_id
          WHERE w.metadata_at IS NOT NULL AND w.user_name <> ''
          UNION ALL
          SELECT i.type, i.userid, i.username, 0, i.updated_at
          FROM images i JOIN wanted ON wanted.type = i.type AND wanted.userid = i.userid
          WHERE i.username IS NOT NULL AND i.username <> ''
        ), best AS (
          SELECT type, userid, name FROM (
            SELECT type, userid, name, row_number() OVER (PARTITION BY type, userid ORDER BY rank DESC, at DESC, name) AS k FROM names
          ) WHERE k = 1
        )
        UPDATE images SET username = best.name, updated_at = ? FROM best
        WHERE images.username IS NULL AND images.userid = best.userid AND images.type = best.type`),
      counts: db.prepare<[], Record<keyof PixivCounts, number | null>>(`
        SELECT count(*) AS works,
          sum(w.metadata_at IS NOT NULL) AS ok,
          sum(w.metadata_at IS NULL AND w.status = 'deleted') AS deleted,
          sum(w.metadata_at IS NULL AND w.status = 'restricted') AS restricted,
          sum(w.metadata_at IS NULL AND w.status = 'failed') AS failed,
          sum(w.illustid IS NULL) AS unfetched
        FROM (SELECT DISTINCT illustid FROM images WHERE type = 'pixiv' AND illustid IS NOT NULL) d
        LEFT JOIN pixiv_works w ON w.illustid = d.illustid`),
    }
  }

  pending(options: { limit?: number; retryFailed?: boolean }): PixivPendingWork[] {
    const [also1, also2] = options.retryFailed ? ['deleted', 'restricted'] : ['failed', 'failed']
    return this.statements.pending.all(also1, also2, options.limit ?? -1)
      .map((row) => (row.userid === null ? { illustid: row.illustid } : { illustid: row.illustid, userid: row.userid }))
  }

  /** Records an outcome; on success copies the metadata onto every image of the work. */
  save(illustid: string, outcome: PixivOutcome): void {
    const now = Date.now()
    this.db.transaction(() => {
      if (outcome.status !== 'ok') {
        this.statements.recordOutcome.run({ illustid, status: outcome.status, message: outcome.message, requests: outcome.requests, now })
        return
      }
      const { work } = outcome
      this.statements.recordWork.run({
        illustid, requests: outcome.requests, now,
        title: work.title, userId: work.userId, userName: work.userName, createDate: work.createDate,
        views: work.views, likes: work.likes, bookmarks: work.bookmarks, comments: work.comments,
        description: work.description, tags: JSON.stringify(work.tags),
      })
      const stored = this.work(illustid)!
      for (const { id } of this.statements.imagesOfWork.all(illustid)) this.applyTo(id, stored, now)
    }).immediate()
  }

  /**
   * After an image's file-name fields were rewritten (re-import, move): the metadata of its work
   * again, or none when it no longer belongs to a work with metadata.
   */
  reapply(imageId: number): void {
    const source = this.statements.sourceOf.get(imageId)
    if (!source) return
    const work = source.type === 'pixiv' && source.illustid !== null ? this.work(source.illustid) : undefined
    if (work) this.applyTo(imageId, work, Date.now())
    else this.statements.clear.run(imageId)
  }

  /** The metadata of a work, when a fetch succeeded. */
  work(illustid: string): PixivWork | undefined {
    const row = this.statements.work.get(illustid)
    return row ? rowToWork(row) : undefined
  }

  propagateUserNames(): number {
    return this.statements.propagate.run(Date.now()).changes
  }

  counts(): PixivCounts {
    const row = this.statements.counts.get()!
    return {
      works: row.works ?? 0, ok: row.ok ?? 0, deleted: row.deleted ?? 0,
      restricted: row.restricted ?? 0, failed: row.failed ?? 0, unfetched: row.unfetched ?? 0,
    }
  }

  private applyTo(imageId: number, work: PixivWork, now: number): void {
    this.statements.apply.run({
      id: imageId, now, title: work.title, views: work.views, likes: work.likes, bookmarks: work.bookmarks,
      comments: work.comments, userId: work.userId || null, userName: work.userName || null, createDate: work.createDate,
    })
    this.writeTags1(imageId, pixivTags1(work.tags))
  }
}

function rowToWork(row: WorkRow): PixivWork {
  return pixivWork({
    illustid: row.illustid,
    title: row.title,
    description: row.description,
    userId: row.user_id,
    userName: row.user_name,
    createDate: row.create_date,
    views: row.views,
    likes: row.likes,
    bookmarks: row.bookmarks,
    comments: row.comments,
    tags: row.tags ? (JSON.parse(row.tags) as PixivTag[]) : null,
    fetchedAt: row.metadata_at,
  })
}
