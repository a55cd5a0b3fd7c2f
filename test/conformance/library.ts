/**
 * A generated library for the conformance suite: values the examples of docs/query-language.md
 * meet (long_hair, frieren, ありがとう, 2020 dates, user 12345, "Euler a", cfg 7.5 …) spread over
 * every field, from a fixed seed, so both profiles store exactly the same images.
 */
import type { AiParameters, ImageInput, SourceType, TagCategory, TagScore } from '../../shared/types/image'
import type { PixivOutcome } from '../../server/store/store'
import { seededRandom } from '../../shared/seeded-random'

export const TAGS: Array<[string, TagCategory]> = [
  ['long_hair', 'general'], ['short_hair', 'general'], ['red_hair', 'general'], ['blue_hair', 'general'], ['1girl', 'general'],
  ['smile', 'general'], [':d', 'general'], ['c.c.', 'character'], ['st._louis_(azur_lane)', 'character'], ['猫耳', 'general'],
  ['a,b', 'general'], ['a', 'general'], ['b', 'general'], ['c', 'general'], ['d', 'general'], ['x y z', 'general'],
  ['rating:general', 'rating'], ['rating:sensitive', 'rating'], ['highres', 'meta'],
]
const TAGS1 = ['frieren', 'sketch', 'nsfw', 'original', 'オリジナル', 'a', 'b', 'x:y', 'z', 'x,y', 'Frieren']
const OCR = ['ありがとう', 'ありがとう　ございます', 'hello, world', 'a,b', '(笑) a;b:c!', 'Frieren school days', 'FRIEREN', '']
const PROMPTS = ['masterpiece, long hair, 1girl', 'best quality, short hair, smile', 'masterpiece, red hair, long hair, rain', 'landscape, sunset']
const NEGATIVES = ['lowres, bad anatomy', 'lowres&bad', 'blurry']
const SAMPLERS = ['Euler a', 'DPM++ 2M Karras', 'euler']
const TYPES: SourceType[] = ['pixiv', 'twitter', 'yandere', 'danbooru', 'other']
const DAY = 86_400_000
/** The content hash several generated images share (copies of one file). */
export const DUPLICATE_HASH = 'dup0000000000000'
/** Dates around the examples' 2020 and the suite's "now" (2024-01-31). */
const DATES = [Date.UTC(2019, 11, 31), Date.UTC(2020, 0, 1), Date.UTC(2020, 4, 1, 12, 30), Date.UTC(2020, 4, 1, 12, 30, 45), Date.UTC(2020, 11, 31, 23), Date.UTC(2021, 4, 2), Date.UTC(2023, 11, 1), Date.UTC(2024, 0, 20)]

export interface LibraryImage {
  input: ImageInput
  tags: TagScore[]
  ocr?: string
}

/** `count` images in two folders. */
export function generateLibrary(count: number, seed = 20_261_122): LibraryImage[] {
  const random = seededRandom(seed)
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!
  const chance = (p: number): boolean => random() < p
  const images: LibraryImage[] = []
  for (let n = 0; n < count; n++) {
    const type = TYPES[n % TYPES.length]!
    const ext = pick(['png', 'jpg', 'gif', 'webp'])
    const folder = n % 3 === 0 ? 'second' : 'main'
    const filename = n % 17 === 0 ? `foo(1).${ext}` : n % 19 === 0 ? `a,b&c.${ext}` : `img-${n}.${ext}`
    const animated = ext === 'gif' && chance(0.6)
    const input: ImageInput = {
      folder,
      path: n % 11 === 0 ? `AI/NovelAI/${n}-${filename}` : `${type}/${n}/${filename}`,
      filename,
      ext,
      filesize: pick([500, 999_999, 1_000_000, 1_000_001, 2_500_000, 12_345]) + n,
      mtime: pick(DATES) + n * 1000,
      hash: n % 13 === 5 ? DUPLICATE_HASH : `h${String(n).padStart(15, '0')}`,
      width: pick([100, 150, 199, 200, 1000, 1001, 1920, 3840]),
      height: pick([100, 1080, 2160, 600]),
      format: ext === 'jpg' ? 'jpeg' : ext,
      animated,
      frames: animated ? 12 : 1,
      type,
    }
    if (type === 'pixiv') {
      input.illustid = String(100 + Math.floor(n / 8))
      input.page = n % 2
      if (chance(0.7)) input.userid = pick(['12345', '777', 'a,b'])
      if (chance(0.4)) input.username = pick(['some user', 'abc', 'a "quoted" name'])
    } else if (type === 'twitter') {
      input.userid = pick(['12345', 'artist_x', ''])
      input.tweetid = String(9000 + n)
      input.date = pick(DATES)
      if (chance(0.5)) input.username = pick(['abc', 'some user'])
    } else if (type === 'yandere') {
      input.postid = String(500 + n)
    } else if (type === 'danbooru') {
      if (chance(0.7)) input.postid = String(4_000_000 + n)
      input.md5 = n.toString(16).padStart(32, 'a')
      if (chance(0.5)) input.username = pick(['kei', 'okita'])
    }
    if (chance(0.5)) input.tags1 = [...new Set([pick(TAGS1), pick(TAGS1), pick(TAGS1)])].slice(0, 1 + Math.floor(random() * 3))
    if (chance(0.4)) input.ai = aiParameters(pick, chance)
    const tags: TagScore[] = []
    for (const [name, category] of TAGS) {
      if (chance(0.3)) tags.push({ name, category, score: pick([0.35, 0.5, 0.8, 0.85, 0.9, 0.94, 0.95, 0.99, 1]) })
    }
    const ocr = chance(0.4) ? pick(OCR) : undefined
    images.push({ input, tags, ...(ocr === undefined ? {} : { ocr }) })
  }
  return images
}

function aiParameters(pick: <T>(values: readonly T[]) => T, chance: (p: number) => boolean): AiParameters {
  const ai: AiParameters = { source: pick(['a1111', 'comfyui', 'novelai'] as const), prompt: pick(PROMPTS), raw: 'raw' }
  if (chance(0.7)) ai.negativePrompt = pick(NEGATIVES)
  if (chance(0.7)) ai.seed = pick([42, 7, 1_234_567])
  if (chance(0.7)) ai.steps = pick([20, 28, 30, 40, 50])
  if (chance(0.7)) ai.cfg = pick([7, 7.5, 9, 11])
  if (chance(0.7)) ai.sampler = pick(SAMPLERS)
  if (chance(0.5)) ai.model = pick(['animagine', 'pony'])
  if (chance(0.3)) ai.extra = { size: '512x768' }
  return ai
}

/** pixiv outcomes for the generated works: most ok (some with the examples' titles and counts), some deleted or failed. */
export function pixivOutcomes(illustids: string[]): Array<[string, PixivOutcome]> {
  return illustids.map((illustid, n): [string, PixivOutcome] => {
    if (n % 5 === 3) return [illustid, { status: 'deleted', message: 'gone', requests: 1 }]
    if (n % 5 === 4) return [illustid, { status: 'failed', message: 'timeout', requests: 3 }]
    return [illustid, {
      status: 'ok',
      requests: 1,
      work: {
        illustid,
        title: n % 2 ? '雨宿り' : `work ${n}`,
        description: '<br />desc',
        userId: n % 3 ? '12345' : '999',
        userName: n % 3 ? 'pixiv name' : '',
        createDate: Date.UTC(2020, n % 12, 1) + n * DAY,
        views: [100, 200, 49_999, 60_000][n % 4]!,
        likes: [0, 100, 5][n % 3]!,
        bookmarks: [0, 100, 101, 1000, 5000][n % 5]!,
        comments: n,
        tags: [{ tag: 'オリジナル', translation: 'original' }, { tag: 'frieren' }],
      },
    }]
  })
}
