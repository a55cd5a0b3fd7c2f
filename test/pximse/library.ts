/**
 * One generated library, in two shapes: the documents PxIMSE's importer would have written
 * (Usu171/PxIMSE 008a0aad, python/import_images.py `nonedoc` + utils.py `get_filename_info` +
 * pixiv.py `fetch_illust_data`, written down here as rules, not code), and the inputs Sagasu's
 * store takes for the same files. The PxIMSE differential evaluates both sides over it.
 */
import type { ImageInput, PixivTag, TagScore } from '../../shared/types/image'
import { seededRandom } from '../../shared/seeded-random'
import { parseFilename } from '../../workers/stages/parse-filename.stage'

/** A file of the library, before either importer sees it. `n` numbers it from 1 in both shapes. */
export interface LibraryFile {
  n: number
  folder: string
  filename: string
  width: number
  height: number
  filesize: number
  /** The file's modification time (UTC). */
  mtime: number
  tags: Record<string, number>
  /** What OCR found, or null (PaddleOCR's `[None]`: no text). */
  text: string | null
  /** pixiv's answer for the work, once fetched (pixiv and pixiv1 files only). */
  pixiv?: { userId: string; userName: string; createDate: number; views: number; likes: number; bookmarks: number; comments: number; tags: PixivTag[] }
}

const TAGS = ['long_hair', 'short_hair', 'blue_eyes', 'smile', '1girl', 'st._louis_(azur_lane)', ':d', 'hat']
const PIXIV_TAGS: PixivTag[] = [
  { tag: 'オリジナル', translation: 'original' }, { tag: 'Re:ゼロから始める異世界生活', translation: 'Re:Zero' },
  { tag: '青空', translation: 'blue sky' }, { tag: '風景' }, { tag: 'Genshin' },
]
const YANDERE_TAGS = ['original', 'long_hair', 'sky', 'landscape']
const TEXTS = ['ありがとう', 'Hello World', 'SALE', 'COMIC MARKET 103', 'x', 'ありがとうございました 東京']
const NAMES = ['Alice', 'ゆき', 'bob']
const HANDLES = ['artist_a', 'Mika']
const YEAR = 365.25 * 86_400_000
/** Instants are whole seconds a few hours into a day, off every date boundary a case names. */
const instant = (random: () => number, from: number, years: number) => {
  const at = Date.UTC(from, 0, 1) + Math.floor(random() * years * YEAR)
  return at - (at % 86_400_000) + (3 + Math.floor(random() * 18)) * 3_600_000 + Math.floor(random() * 3_600) * 1000
}

/** The library: 60 files of every kind PxIMSE's README names, plus other files, seeded. */
export function generateFiles(seed = 20_261_206, count = 60): LibraryFile[] {
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const chance = (p: number) => random() < p
  const used = new Set<number>()
  const unique = (min: number, max: number) => {
    for (;;) {
      const value = min + Math.floor(random() * (max - min))
      if (!used.has(value)) {
        used.add(value)
        return value
      }
    }
  }
  const files: LibraryFile[] = []
  for (let n = 1; n <= count; n++) {
    const kind = ['pixiv', 'pixiv1', 'twitter', 'yandere', 'other'][n % 5]!
    const illustid = unique(40_000_000, 120_000_000)
    const userId = String(pick([1234, 99, 5555555]))
    let filename: string
    if (kind === 'pixiv') filename = `${userId}_${illustid}_p0.png`
    else if (kind === 'pixiv1') filename = `${illustid}_p0.jpg`
    else if (kind === 'twitter') {
      const tweetDate = new Date(instant(random, 2015, 9)).toISOString()
      const stamp = `${tweetDate.slice(0, 10).replaceAll('-', '')}-${tweetDate.slice(11, 19).replaceAll(':', '')}`
      filename = `twitter_${pick(NAMES)}(@${pick(HANDLES)})_${stamp}_${unique(10 ** 17, 2 * 10 ** 18)}_photo.jpg`
    } else if (kind === 'yandere') {
      const tags = YANDERE_TAGS.filter(() => chance(0.5))
      filename = `yande.re ${unique(1, 1_200_000)} ${tags.length ? tags.join(' ') : 'sky'}.jpg`
    } else filename = `${pick(['IMG_', 'wallpaper ', 'スクリーンショット '])}${n}.png`
    const tags = Object.fromEntries(TAGS.filter(() => chance(0.45)).map((name) => [name, (5000 + unique(0, 5000)) / 10_000]))
    const file: LibraryFile = {
      n,
      folder: pick(['art', 'inbox']),
      filename,
      width: pick([600, 800, 1024, 1920, 2048]),
      height: pick([600, 1080, 1200]),
      filesize: unique(20_000, 4_000_000),
      mtime: instant(random, 2012, 13),
      tags,
      text: chance(0.45) ? pick(TEXTS) : null,
    }
    if ((kind === 'pixiv' || kind === 'pixiv1') && chance(0.75)) {
      file.pixiv = {
        userId, userName: pick(NAMES), createDate: instant(random, 2014, 11),
        views: n === 6 ? 200 : unique(0, 5000), likes: n === 5 ? 100 : unique(0, 5000), bookmarks: unique(0, 5000), comments: Math.floor(random() * 4),
        tags: PIXIV_TAGS.filter(() => chance(0.4)),
      }
    }
    files.push(file)
  }
  return files
}

/** A PxIMSE document: every `nonedoc` key (null until something sets it), as its importer writes it. */
export type PximseDocument = Record<string, unknown> & { n: number }

/**
 * What PxIMSE's `import_images.py mongo` and then `pixiv` would store for a file: the type from the
 * file-name patterns (`{user}_{id}_p{n}` pixiv, `{id}_p{n}` pixiv1, `twitter…`, `yande.re…`), the
 * file-name fields (as strings), then the file's own fields last, so `date` is the file's mtime even
 * for a tweet; pixiv's answer sets userid, user, createDate, the counts and tags1 (tag and
 * translation).
 */
export function pximseDocument(file: LibraryFile): PximseDocument {
  const stem = file.filename.slice(0, file.filename.lastIndexOf('.'))
  const doc: PximseDocument = {
    n: file.n, filename: file.filename, folder: file.folder, type: null, width: null, height: null, filesize: null, date: null,
    title: null, user: null, userid: null, illustid: null, description: null, createDate: null,
    viewCount: null, bookmarkCount: null, likeCount: null, commentCount: null, tags: null, tags1: null, text: null,
  }
  let match: RegExpExecArray | null
  if ((match = /^(\d+)_(\d+)_p\d+$/.exec(stem))) Object.assign(doc, { type: 'pixiv', userid: match[1], illustid: match[2] })
  else if ((match = /^(\d+)_p\d+$/.exec(stem))) Object.assign(doc, { type: 'pixiv1', illustid: match[1] })
  else if ((match = /^twitter_(.*?)\(@(.*?)\)_(\d{8}-\d{6})_(\d+)_/.exec(stem))) Object.assign(doc, { type: 'twitter', user: match[1], userid: match[2], illustid: match[4] })
  else if ((match = /^yande\.re (\d+)\s+(.+)/.exec(stem))) Object.assign(doc, { type: 'yandere', illustid: match[1], tags1: match[2]!.split(/\s+/) })
  else doc.type = 'other'
  Object.assign(doc, { width: file.width, height: file.height, filesize: file.filesize, date: new Date(file.mtime), tags: { ...file.tags }, text: file.text })
  if (file.pixiv) {
    const p = file.pixiv
    Object.assign(doc, {
      userid: p.userId, title: 'title', user: p.userName, description: '', createDate: new Date(p.createDate),
      viewCount: p.views, bookmarkCount: p.bookmarks, likeCount: p.likes, commentCount: p.comments,
      tags1: p.tags.flatMap((tag) => [tag.tag, ...(tag.translation ? [tag.translation] : [])]),
    })
  }
  return doc
}

/** What Sagasu's import writes for the file: the file-name fields from Sagasu's own parser. */
export function sagasuInput(file: LibraryFile): { input: ImageInput; tags: TagScore[] } {
  const ext = file.filename.slice(file.filename.lastIndexOf('.') + 1)
  return {
    input: {
      folder: file.folder, path: file.filename, filename: file.filename, ext, format: ext === 'jpg' ? 'jpeg' : ext,
      filesize: file.filesize, mtime: file.mtime, hash: file.n.toString(16).padStart(16, '0'),
      width: file.width, height: file.height, animated: false, frames: 1, ...parseFilename(file.filename),
    },
    tags: Object.entries(file.tags).map(([name, score]) => ({ name, category: 'general', score })),
  }
}
