import type { PixivWork } from '../../shared/types/image'

/** A work as a store holds it: any field may be missing (null in SQLite, absent in MongoDB). */
export type StoredPixivWork = { [K in keyof PixivWork]?: PixivWork[K] | null } & { illustid: string }

/** The work with pixiv's blanks filled in the same way by both stores: '' for text, 0 for numbers, [] for tags. */
export function pixivWork(stored: StoredPixivWork): PixivWork {
  return {
    illustid: stored.illustid,
    title: stored.title ?? '',
    description: stored.description ?? '',
    userId: stored.userId ?? '',
    userName: stored.userName ?? '',
    createDate: stored.createDate ?? 0,
    views: stored.views ?? 0,
    likes: stored.likes ?? 0,
    bookmarks: stored.bookmarks ?? 0,
    comments: stored.comments ?? 0,
    tags: stored.tags ?? [],
    fetchedAt: stored.fetchedAt ?? 0,
  }
}
