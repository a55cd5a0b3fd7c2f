import type { PixivWork } from '../../../shared/types/image'
import { pixivTags1 } from '../pixiv-tags1'
import type { PixivCounts, PixivOutcome, PixivPendingWork } from '../store'
import type { ServersCollections, StoredImageDocument } from './mongo-collections'
import { workOf } from './stored-image'

/** Called after images' fields changed (tags1, user, date: the full-text and vector backends follow). */
export type ImagesChanged = (ids: number[]) => Promise<void>

/** The pixiv works of the library: illust id → the smallest image id and the largest user id a file name gave. */
interface LibraryWork {
  illustid: string
  first: number
  userid?: string
}

/**
 * pixiv metadata in the servers profile: fetch outcomes per work in `pixiv_works`, copied onto the
 * work's page images as the embedded store does (pixiv-queries.ts). FerretDB v1 has no `$lookup`
 * and no `$min`/`$max` accumulators, so the joins are done here over projections.
 */
export class MongoPixiv {
  constructor(private readonly c: ServersCollections, private readonly imagesChanged: ImagesChanged) {}

  async pending(options: { limit?: number; retryFailed?: boolean }): Promise<PixivPendingWork[]> {
    const works = await this.libraryWorks()
    const statuses = await this.statuses(works.map((work) => work.illustid))
    const retry = new Set(options.retryFailed ? ['failed', 'deleted', 'restricted'] : ['failed'])
    const pending: PixivPendingWork[] = []
    for (const work of works) {
      const status = statuses.get(work.illustid)
      if (status && (status.metadataAt !== undefined || !retry.has(status.status))) continue
      pending.push(work.userid === undefined ? { illustid: work.illustid } : { illustid: work.illustid, userid: work.userid })
      if (options.limit !== undefined && options.limit >= 0 && pending.length >= options.limit) break
    }
    return pending
  }

  async save(illustid: string, outcome: PixivOutcome): Promise<void> {
    const now = Date.now()
    if (outcome.status !== 'ok') {
      await this.c.pixivWorks.updateOne(
        { _id: illustid },
        { $set: { status: outcome.status, message: outcome.message, fetchedAt: now }, $inc: { attempts: outcome.requests } },
        { upsert: true },
      )
      return
    }
    const { work } = outcome
    await this.c.pixivWorks.updateOne({ _id: illustid }, {
      $set: {
        status: 'ok', fetchedAt: now, metadataAt: now, title: work.title, userId: work.userId, userName: work.userName,
        createDate: work.createDate, views: work.views, likes: work.likes, bookmarks: work.bookmarks, comments: work.comments,
        description: work.description, tags: work.tags,
      },
      $unset: { message: '' },
      $inc: { attempts: outcome.requests },
    }, { upsert: true })
    const stored = workOf(await this.c.pixivWorks.findOne({ _id: illustid }))!
    const images = await this.c.images.find({ type: 'pixiv', illustid }).toArray()
    for (const image of images) await this.applyTo(image, stored, now)
    await this.imagesChanged(images.map((image) => image.id))
  }

  /** The metadata of a work, when a fetch succeeded. */
  async work(illustid: string): Promise<PixivWork | undefined> {
    return workOf(await this.c.pixivWorks.findOne({ _id: illustid }))
  }

  /**
   * After an image's file-name fields were rewritten (re-import, move): the metadata of its work
   * again, or none when it no longer belongs to a work with metadata.
   */
  async reapply(id: number): Promise<void> {
    const image = await this.c.images.findOne({ _id: id })
    if (!image) return
    const work = image.type === 'pixiv' && image.illustid !== undefined ? await this.work(image.illustid) : undefined
    if (work) {
      await this.applyTo(image, work, Date.now())
      await this.imagesChanged([id])
    } else if (image.title !== undefined || image.views !== undefined) {
      await this.c.images.updateOne({ _id: id }, { $unset: { title: '', views: '', likes: '', bookmarks: '', comments: '' } })
    }
  }

  /** Images with a user id but no user name take the name another image of the same user (or pixiv) has. */
  async propagateUserNames(): Promise<number> {
    const wanting = await this.c.images.find({ userid: { $exists: true }, username: { $exists: false } }, { projection: { type: 1, userid: 1 } }).toArray()
    const groups = new Map(wanting.map((image) => [`${image.type}\u0000${image.userid}`, { type: image.type, userid: image.userid! }]))
    let changed = 0
    const now = Date.now()
    for (const { type, userid } of groups.values()) {
      const names: Array<{ name: string; rank: number; at: number }> = []
      if (type === 'pixiv') {
        for (const work of await this.c.pixivWorks.find({ userId: userid, metadataAt: { $exists: true } }).toArray()) {
          if (work.userName) names.push({ name: work.userName, rank: 1, at: work.metadataAt! })
        }
      }
      for (const image of await this.c.images.find({ type, userid, username: { $exists: true } }, { projection: { username: 1, updated: 1 } }).toArray()) {
        if (image.username) names.push({ name: image.username, rank: 0, at: image.updated })
      }
      names.sort((a, b) => b.rank - a.rank || b.at - a.at || compareText(a.name, b.name))
      const best = names[0]
      if (!best) continue
      const ids = (await this.c.images.find({ type, userid, username: { $exists: false } }, { projection: { _id: 1 } }).toArray()).map((image) => image._id)
      const result = await this.c.images.updateMany({ _id: { $in: ids }, username: { $exists: false } }, { $set: { username: best.name, updated: now } })
      changed += result.modifiedCount
      await this.imagesChanged(ids)
    }
    return changed
  }

  async counts(): Promise<PixivCounts> {
    const works = await this.libraryWorks()
    const statuses = await this.statuses(works.map((work) => work.illustid))
    const counts: PixivCounts = { works: works.length, ok: 0, deleted: 0, restricted: 0, failed: 0, unfetched: 0 }
    for (const { illustid } of works) {
      const status = statuses.get(illustid)
      if (!status) counts.unfetched++
      else if (status.metadataAt !== undefined) counts.ok++
      else counts[status.status === 'ok' ? 'failed' : status.status]++
    }
    return counts
  }

  /** Title, counts, user and date of the work onto one page image, as pixiv-queries.ts `apply` does. */
  private async applyTo(image: StoredImageDocument, work: PixivWork, now: number): Promise<void> {
    const userId = work.userId || undefined
    const userName = work.userName || undefined
    const set: Partial<StoredImageDocument> = {
      title: work.title, views: work.views, likes: work.likes, bookmarks: work.bookmarks, comments: work.comments,
      tags1: pixivTags1(work.tags), updated: now,
    }
    if (image.userid === undefined && userId !== undefined) set.userid = userId
    // The user name is pixiv's current one, unless the file name named another user of the work.
    if ((image.userid === undefined || image.userid === userId) && userName !== undefined) set.username = userName
    if (image.date === undefined) set.date = work.createDate
    await this.c.images.updateOne({ _id: image._id }, { $set: set })
  }

  /** Every pixiv work of the library in the order its first image was added. */
  private async libraryWorks(): Promise<LibraryWork[]> {
    const works = new Map<string, LibraryWork>()
    const cursor = this.c.images.find({ type: 'pixiv', illustid: { $exists: true } }, { projection: { id: 1, illustid: 1, userid: 1 }, sort: { id: 1 } })
    for await (const image of cursor) {
      const illustid = image.illustid!
      const work = works.get(illustid) ?? { illustid, first: image.id }
      if (image.userid !== undefined && (work.userid === undefined || compareText(image.userid, work.userid) > 0)) work.userid = image.userid
      works.set(illustid, work)
    }
    return [...works.values()]
  }

  private async statuses(illustids: string[]): Promise<Map<string, { status: PixivOutcome['status']; metadataAt?: number }>> {
    const statuses = new Map<string, { status: PixivOutcome['status']; metadataAt?: number }>()
    for (let from = 0; from < illustids.length; from += 10_000) {
      const chunk = illustids.slice(from, from + 10_000)
      for (const work of await this.c.pixivWorks.find({ _id: { $in: chunk } }, { projection: { status: 1, metadataAt: 1 } }).toArray()) {
        statuses.set(work._id, work.metadataAt === undefined ? { status: work.status } : { status: work.status, metadataAt: work.metadataAt })
      }
    }
    return statuses
  }
}

/** Code-point order, as SQLite's BINARY collation and MongoDB compare strings. */
export function compareText(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}
