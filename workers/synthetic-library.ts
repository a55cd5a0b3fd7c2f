import { mkdir, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { seededRandom } from '../shared/seeded-random'
import { writeExifUserComment } from './ai-metadata/exif-user-comment'
import { insertJpegExif } from './ai-metadata/jpeg-segments'
import { writePngTextChunks } from './ai-metadata/png-chunks'
import { insertWebpExif } from './ai-metadata/webp-chunks'
import { withTrustedSvg } from '../media/image-decoder'

// A fake but realistic illustration collection: the names downloaders really
// produce, pictures with a known dominant colour, drawn text and embedded AI
// generation parameters. The demo library, the import benchmark and the tests
// all index it, so everything a search feature keys on is returned alongside
// the files as ground truth.

export type SyntheticFormat = 'png' | 'jpeg' | 'webp'
export type SyntheticKind = 'pixiv' | 'pixiv-short' | 'pixiv-master' | 'twitter' | 'yandere' | 'ai' | 'other'
export type SyntheticColor = 'red' | 'green' | 'blue' | 'yellow' | 'white' | 'black'
export type SyntheticTextLang = 'ja' | 'zh' | 'en' | 'mixed'

export interface SyntheticLibraryOptions {
  /** Number of images. */
  count: number
  /** Same seed → same names, sizes, pixels, metadata and mtimes. Default 1. */
  seed?: number
  /** Smallest side in px (default 256). */
  minSide?: number
  /** Largest side in px (default 640). */
  maxSide?: number
  /** Default ['png', 'jpeg']. Forms tied to one format (e.g. `_master1200.jpg`) are skipped when it is missing. */
  formats?: SyntheticFormat[]
  /** Spread files over a few nested subfolders (default true). */
  subfolders?: boolean
  /** Render Japanese, Chinese and English text onto some images (default true). */
  text?: boolean
  /** Embed AI-generation parameters into the `ai` images (default true). */
  aiMetadata?: boolean
  /** Images rendered at once (default 2). sharp gives each image one libvips thread on glibc Linux, so this is roughly the cores used. */
  concurrency?: number
  onProgress?: (done: number, total: number) => void
}

export interface SyntheticAiMetadata {
  tool: 'a1111' | 'comfyui' | 'novelai'
  /** Where the parameters went: PNG text chunks, or an EXIF UserComment (JPEG/WebP). */
  container: 'png-text' | 'exif-user-comment'
  /** Exactly what was written: PNG keyword → text, or `{ UserComment: text }`. */
  entries: Record<string, string>
  negativePrompt: string
  /** A string because ComfyUI seeds can exceed 2^53. */
  seed: string
  steps: number
  cfg: number
  sampler: string
  model: string
}

export interface SyntheticImage {
  /** Relative to the library folder, always with `/` separators. */
  relPath: string
  kind: SyntheticKind
  width: number
  height: number
  /** As sharp reports it: 'png' | 'jpeg' | 'webp'. */
  format: SyntheticFormat
  /** The colour that covers most of the picture. */
  color: SyntheticColor
  /** Saved as a single-channel grey image (WebP has no such mode and stays RGB, but grey). */
  monochrome: boolean
  /** What was drawn, lines joined with '\n'; a vertical line is its glyphs top to bottom. */
  text?: string
  textLines?: string[]
  textLang?: SyntheticTextLang
  textVertical?: boolean
  /** Positive prompt, present when generation parameters were embedded. */
  prompt?: string
  ai?: SyntheticAiMetadata
  /** relPath of the image this one is a resized copy of (pixiv `_master1200` of a downloaded page). */
  sameArtAs?: string
  /** The file's mtime, set to match the date the name implies. */
  mtimeMs: number
  /** File size; 0 until written. */
  bytes: number
}

interface ResolvedOptions {
  count: number
  seed: number
  minSide: number
  maxSide: number
  formats: SyntheticFormat[]
  subfolders: boolean
  text: boolean
  aiMetadata: boolean
  concurrency: number
  onProgress?: (done: number, total: number) => void
}

/** A planned file: the public description plus what the renderer needs. */
interface PlannedImage {
  image: SyntheticImage
  visualSeed: number
}

const DAY_MS = 86_400_000

// ---------------------------------------------------------------------------
// Deterministic randomness. Math.random would make libraries irreproducible,
// and the per-image seed keeps pixels independent of the render order.

class Rng {
  readonly next: () => number

  constructor(seed: number) {
    this.next = seededRandom(seed)
  }

  uint32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0
  }

  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  float(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo)
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list')
    return items[Math.floor(this.next() * items.length)]!
  }

  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((sum, [, w]) => sum + w, 0)
    let r = this.next() * total
    for (const [item, w] of items) {
      r -= w
      if (r < 0) return item
    }
    return items[items.length - 1]![0]
  }

  /** `n` distinct items, in pick order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const pool = [...items]
    const out: T[] = []
    while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]!)
    return out
  }
}

/** Mixes two numbers into a well-spread 32-bit seed (splitmix-style finaliser). */
function mixSeed(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ (b >>> 0)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

// ---------------------------------------------------------------------------
// Name material.

const TWITTER_USERS: ReadonlyArray<readonly [string, string]> = [
  ['しずく', 'shizuku_art'],
  ['雨宮ゆき', 'amamiya_yuki'],
  ['ねこまる🐾', 'nekomaru_0'],
  ['Kuro', 'kuro_illust'],
  ['夏目@お仕事募集中', 'natsume_works'],
  ['ミント', 'mint_choco22'],
  ['藤原 蒼', 'aoi_fujiwara'],
  ['Lumi', 'lumi_draws'],
  ['ほしの', 'hoshino_sky'],
  ['つばさ｜skeb募集中', 'tsubasa_skeb'],
  ['Aki', 'AKI_0811'],
  ['白湯', 'sayu_sayu'],
  ['もちもち', 'mochi_mochi_p'],
  ['Rinne', 'rinne_art'],
]

const YANDERE_CHARACTERS: ReadonlyArray<readonly [string, string]> = [
  ['hatsune_miku', 'vocaloid'],
  ['st._louis_(azur_lane)', 'azur_lane'],
  ['belfast_(azur_lane)', 'azur_lane'],
  ['hu_tao_(genshin_impact)', 'genshin_impact'],
  ['raiden_shogun', 'genshin_impact'],
  ['frieren', 'sousou_no_frieren'],
  ['gotou_hitori', 'bocchi_the_rock!'],
  ['rem_(re:zero)', 're:zero_kara_hajimeru_isekai_seikatsu'],
  ['shiroko_(blue_archive)', 'blue_archive'],
  ['kafuu_chino', 'gochuumon_wa_usagi_desu_ka?'],
]

const YANDERE_GENERAL = [
  'long_hair', 'short_hair', 'school_uniform', 'seifuku', 'dress', 'megane', 'kimono', 'yukata', 'maid',
  'animal_ears', 'nekomimi', 'wings', 'thighhighs', 'umbrella', 'cherry_blossoms', 'sky', 'landscape',
  'sketch', 'heels', 'twintails', 'ponytail', 'sweater', 'hoodie', 'tagme',
]

// Tags in the spelling A1111/NovelAI users type (spaces, not underscores).
const PROMPT_SUBJECTS = ['1girl', '1girl', '1girl', '1boy', '2girls', 'no humans']
const PROMPT_CHARACTERS = ['hatsune miku', 'frieren', 'hu tao (genshin impact)', 'gotoh hitori', 'st. louis (azur lane)', 'shiroko (blue archive)']
const PROMPT_TAGS = [
  'solo', 'long hair', 'short hair', 'blue eyes', 'red eyes', 'smile', 'looking at viewer', 'school uniform',
  'white dress', 'hat', 'cherry blossoms', 'night sky', 'starry sky', 'city lights', 'rain', 'umbrella',
  'outdoors', 'indoors', 'upper body', 'full body', 'from side', 'wind', 'flower', 'cat', 'sunset',
  'depth of field', 'watercolor', 'flat color', 'sketch',
]
const PROMPT_JAPANESE = ['桜', '和服', '夏祭り', '雨の街']
const NEGATIVE_PROMPTS = [
  'lowres, bad anatomy, bad hands, text, error, missing fingers, extra digit, fewer digits, cropped, worst quality, low quality, normal quality, jpeg artifacts, signature, watermark, username, blurry',
  'nsfw, lowres, (worst quality, low quality:1.4), bad anatomy, extra fingers, watermark, signature',
  'EasyNegative, badhandv4, (worst quality:1.2), monochrome, text',
]

const A1111_MODELS: ReadonlyArray<readonly [string, string]> = [
  ['animagineXL_v3', 'e3c47aedb0'],
  ['ponyDiffusionV6XL_v6StartWithThisOne', '67ab2fd8ec'],
  ['anything-v5-PrtRE', '7f96a1a9ca'],
  ['counterfeitV30_v30', 'cbfba64e66'],
  ['meinamix_meinaV11', '54ef3e3610'],
  ['AOM3A1B_orangemixs', '5493a0ec49'],
]
const A1111_SAMPLERS = ['DPM++ 2M Karras', 'Euler a', 'DPM++ SDE Karras', 'DDIM', 'UniPC', 'DPM++ 2M SDE Karras']
const A1111_LORAS: ReadonlyArray<readonly [string, string]> = [
  ['animeLineart_v1', '1a2b3c4d5e6f'],
  ['flat2', '9f8e7d6c5b4a'],
  ['add_detail', '7c6e3b1f0a22'],
]
const COMFY_SAMPLERS = ['euler', 'euler_ancestral', 'dpmpp_2m', 'dpmpp_2m_sde', 'uni_pc']
const COMFY_SCHEDULERS = ['normal', 'karras', 'exponential', 'sgm_uniform']
const NOVELAI_SOURCES = ['NovelAI Diffusion V3 7BCCAA2C', 'Stable Diffusion XL C1E1DE52', 'NovelAI Diffusion V3 4BDE2A90']
const NOVELAI_SAMPLERS = ['k_euler_ancestral', 'k_euler', 'k_dpmpp_2m', 'k_dpmpp_2s_ancestral']

interface TextChoice {
  lines: string[]
  lang: SyntheticTextLang
  vertical: boolean
}

// Some phrases hold XML metacharacters on purpose: SVG escaping must cope.
const TEXT_JA = ['ありがとう', '雨の街', 'おはようございます', '夏祭り', '桜が咲いた', 'またね！', 'お誕生日おめでとう', '星降る夜に', 'ねこです', '東京タワー']
const TEXT_JA_VERTICAL = ['雨の街', '夜明け前', '春の風', '月が綺麗ですね', 'ありがとう', '初恋']
const TEXT_ZH = ['你好世界', '谢谢', '春节快乐', '我爱你', '下雨了']
const TEXT_EN = ['Thank you', 'Good morning', 'Happy Birthday!', 'Commission open', 'HELLO WORLD', 'See you tomorrow', 'Tom & Jerry', '<3 love you', 'Rock "n" Roll', "It's raining"]
const TEXT_MIXED: ReadonlyArray<readonly string[]> = [
  ['メリークリスマス', 'Merry Christmas'],
  ['ありがとう', 'Thank you'],
  ['新年快乐', 'Happy New Year'],
  ['おはよう', 'Good morning'],
]

// Fonts tried in order; without any CJK font librsvg draws boxes, which is still a valid image.
const FONT_JA = "'Noto Sans CJK JP', 'Noto Sans JP', 'Source Han Sans JP', 'IPAexGothic', 'Hiragino Sans', 'Yu Gothic', sans-serif"
const FONT_ZH = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
const FONT_EN = "'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif"

// ---------------------------------------------------------------------------
// Options.

function resolveOptions(opts: SyntheticLibraryOptions): ResolvedOptions {
  const count = opts.count
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`)
  const minSide = opts.minSide ?? 256
  const maxSide = opts.maxSide ?? Math.max(640, minSide)
  // WebP cannot hold a side above 16383; tiny sides leave no room for text.
  if (!Number.isInteger(minSide) || minSide < 16) throw new RangeError(`minSide must be an integer >= 16, got ${minSide}`)
  if (!Number.isInteger(maxSide) || maxSide < minSide || maxSide > 16383) {
    throw new RangeError(`maxSide must be an integer in [minSide, 16383], got ${maxSide}`)
  }
  const formats: SyntheticFormat[] = [...new Set<SyntheticFormat>(opts.formats ?? ['png', 'jpeg'])]
  if (formats.length === 0) throw new RangeError('formats must not be empty')
  for (const f of formats) if (f !== 'png' && f !== 'jpeg' && f !== 'webp') throw new RangeError(`unknown format ${String(f)}`)
  const concurrency = opts.concurrency ?? 2
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`)
  const seed = opts.seed ?? 1
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`)
  return {
    count,
    // Fold fractional or huge seeds into 32 bits so that every number works.
    seed: mixSeed(Math.floor(seed) >>> 0, Math.floor(seed / 4294967296) >>> 0),
    minSide,
    maxSide,
    formats,
    subfolders: opts.subfolders ?? true,
    text: opts.text ?? true,
    aiMetadata: opts.aiMetadata ?? true,
    concurrency,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  }
}

// ---------------------------------------------------------------------------
// Planning: names, sizes, colours, text and metadata for the whole library.
// Only small records are kept; pixels are produced one file at a time later.

const KIND_WEIGHTS: ReadonlyArray<readonly [SyntheticKind, number]> = [
  ['pixiv', 28],
  ['pixiv-short', 10],
  ['pixiv-master', 7],
  ['twitter', 18],
  ['yandere', 12],
  ['ai', 16],
  ['other', 9],
]

// Aspect ratios (width / height) by kind: pixiv and boorus lean portrait,
// Twitter and screenshots landscape, AI images follow the SD/SDXL buckets.
const ASPECTS: Record<SyntheticKind, ReadonlyArray<readonly [number, number]>> = {
  'pixiv': [[0.707, 3], [0.75, 3], [2 / 3, 2], [1, 1], [4 / 3, 1], [16 / 9, 1], [9 / 16, 1]],
  'pixiv-short': [[0.707, 3], [0.75, 2], [1, 1], [16 / 9, 1]],
  'pixiv-master': [[0.707, 2], [0.75, 2], [1, 1], [16 / 9, 1]],
  'twitter': [[16 / 9, 3], [0.75, 2], [1, 2], [9 / 16, 2], [4 / 3, 1]],
  'yandere': [[0.707, 3], [2 / 3, 2], [1.5, 1], [1.414, 1], [16 / 9, 1]],
  'ai': [[2 / 3, 4], [832 / 1216, 3], [1, 1], [1.5, 1], [1216 / 832, 1]],
  'other': [[16 / 9, 4], [9 / 19.5, 1], [4 / 3, 1], [0.75, 1], [1, 1]],
}

const FORMAT_WEIGHTS: Record<Exclude<SyntheticKind, 'pixiv-master'>, ReadonlyArray<readonly [SyntheticFormat, number]>> = {
  'pixiv': [['png', 55], ['jpeg', 45]],
  'pixiv-short': [['png', 50], ['jpeg', 50]],
  'twitter': [['jpeg', 80], ['png', 15], ['webp', 5]],
  'yandere': [['jpeg', 60], ['png', 40]],
  'ai': [['png', 70], ['jpeg', 15], ['webp', 15]],
  'other': [['png', 45], ['jpeg', 40], ['webp', 15]],
}

const COLORS: readonly SyntheticColor[] = ['red', 'green', 'blue', 'yellow', 'white', 'black']

class Planner {
  readonly items: PlannedImage[] = []
  private readonly rng: Rng
  private readonly names = new Set<string>()
  private readonly illustIds = new Set<number>()
  private readonly pixivUsers: number[] = []
  private readonly yandereIds = new Set<number>()
  /** First pages of downloaded pixiv works, for `_master1200` copies of the same art. */
  private readonly pixivFirstPages: Array<{ planned: PlannedImage; illustId: number }> = []
  private readonly aiDates: number[] = []
  private a1111Counter: number
  private comfyCounter = 0
  private serial = 0

  constructor(private readonly o: ResolvedOptions) {
    this.rng = new Rng(o.seed)
    this.a1111Counter = this.rng.int(0, 400)
    // A handful of generation sessions, as A1111's date folders show.
    const sessions = this.rng.int(3, 6)
    for (let i = 0; i < sessions; i++) this.aiDates.push(Date.UTC(2023, 0, 1) + this.rng.int(0, 700) * DAY_MS)
  }

  plan(): PlannedImage[] {
    while (this.items.length < this.o.count) {
      const kind = this.rng.weighted(KIND_WEIGHTS)
      switch (kind) {
        case 'pixiv':
        case 'pixiv-short':
          this.planPixivWork(kind)
          break
        case 'pixiv-master':
          if (!this.planPixivMaster()) this.planPixivWork('pixiv-short')
          break
        case 'twitter':
          this.planTwitter()
          break
        case 'yandere':
          this.planYandere()
          break
        case 'ai':
          this.planAi()
          break
        case 'other':
          this.planOther()
          break
      }
    }
    return this.items
  }

  private get remaining(): number {
    return this.o.count - this.items.length
  }

  private allowed(f: SyntheticFormat): boolean {
    return this.o.formats.includes(f)
  }

  private pickFormat(kind: Exclude<SyntheticKind, 'pixiv-master'>): SyntheticFormat {
    const weights = FORMAT_WEIGHTS[kind].filter(([f]) => this.allowed(f))
    return weights.length > 0 ? this.rng.weighted(weights) : this.rng.pick(this.o.formats)
  }

  /** Claims a file name; false when it is already taken (compared case-insensitively, as Windows and macOS do). */
  private claim(name: string): boolean {
    const key = name.toLowerCase()
    if (this.names.has(key)) return false
    this.names.add(key)
    return true
  }

  private folder(...choices: string[]): string {
    return this.o.subfolders ? this.rng.pick(choices) : ''
  }

  private size(kind: SyntheticKind, aspect?: number): [number, number] {
    const { minSide, maxSide } = this.o
    const ratio = aspect ?? this.rng.weighted(ASPECTS[kind])
    const long = this.rng.int(minSide, maxSide)
    return fitAspect(ratio, long, minSide, maxSide)
  }

  private look(kind: SyntheticKind): Pick<SyntheticImage, 'color' | 'monochrome'> {
    // Manga pages and sketches: grey files are common outside AI output.
    const monochrome = this.rng.chance(kind === 'ai' ? 0.04 : 0.13)
    const color: SyntheticColor = monochrome ? this.rng.pick(['white', 'black'] as const) : this.rng.pick(COLORS)
    return { color, monochrome }
  }

  private textChoice(kind: SyntheticKind): TextChoice | undefined {
    if (!this.o.text) return undefined
    const p = kind === 'twitter' || kind === 'other' ? 0.4 : kind === 'ai' ? 0.15 : 0.3
    if (!this.rng.chance(p)) return undefined
    const style = this.rng.weighted([['ja', 35], ['ja-v', 15], ['zh', 15], ['en', 25], ['mixed', 10]] as const)
    switch (style) {
      case 'ja':
        return { lines: [this.rng.pick(TEXT_JA)], lang: 'ja', vertical: false }
      case 'ja-v':
        return { lines: [this.rng.pick(TEXT_JA_VERTICAL)], lang: 'ja', vertical: true }
      case 'zh':
        return { lines: [this.rng.pick(TEXT_ZH)], lang: 'zh', vertical: false }
      case 'en':
        return { lines: [this.rng.pick(TEXT_EN)], lang: 'en', vertical: false }
      case 'mixed':
        return { lines: [...this.rng.pick(TEXT_MIXED)], lang: 'mixed', vertical: false }
    }
  }

  private push(image: Omit<SyntheticImage, 'bytes'>, visualSeed?: number): PlannedImage {
    const planned: PlannedImage = { image: { ...image, bytes: 0 }, visualSeed: visualSeed ?? mixSeed(this.o.seed, ++this.serial) }
    this.items.push(planned)
    return planned
  }

  private withText(base: Omit<SyntheticImage, 'bytes'>, t: TextChoice | undefined): Omit<SyntheticImage, 'bytes'> {
    if (!t) return base
    return { ...base, text: t.lines.join('\n'), textLines: t.lines, textLang: t.lang, textVertical: t.vertical }
  }

  private newIllustId(): number {
    for (;;) {
      // Skewed toward recent works, as collections are: ids 20M (2011) … 125M (2024).
      const id = 20_000_000 + Math.floor(105_000_000 * Math.sqrt(this.rng.next()))
      if (!this.illustIds.has(id)) {
        this.illustIds.add(id)
        return id
      }
    }
  }

  private pixivUser(): number {
    if (this.pixivUsers.length > 0 && this.rng.chance(0.55)) return this.rng.pick(this.pixivUsers)
    // Log-uniform over 4..8 digits: early accounts are rarer than recent ones, but still seen.
    const id = Math.floor(10 ** this.rng.float(3, 8))
    const user = Math.min(Math.max(id, 1000), 99_999_999)
    this.pixivUsers.push(user)
    return user
  }

  private planPixivWork(kind: 'pixiv' | 'pixiv-short'): void {
    const illustId = this.newIllustId()
    const userId = kind === 'pixiv' ? this.pixivUser() : undefined
    const pages = Math.min(this.remaining, this.rng.chance(0.65) ? 1 : this.rng.weighted([[2, 4], [3, 3], [4, 2], [5, 1], [6, 1]] as const))
    const format = this.pickFormat(kind)
    const ext = extension(format)
    const folder = kind === 'pixiv' ? this.folder('pixiv', 'pixiv/ブックマーク', 'pixiv/following/2023') : this.folder('pixiv', 'Downloads')
    // A multi-page work shares its look: a manga is grey throughout, a series keeps its palette.
    const look = this.look(kind)
    const ratio = this.rng.weighted(ASPECTS[kind])
    const mtimeMs = pixivDate(illustId) + this.rng.int(0, 30 * DAY_MS)
    for (let page = 0; page < pages; page++) {
      const name = userId === undefined ? `${illustId}_p${page}.${ext}` : `${userId}_${illustId}_p${page}.${ext}`
      this.claim(name)
      const [width, height] = this.size(kind, ratio)
      const planned = this.push(this.withText({ relPath: joinRel(folder, name), kind, width, height, format, ...look, mtimeMs }, this.textChoice(kind)))
      if (page === 0) this.pixivFirstPages.push({ planned, illustId })
    }
  }

  private planPixivMaster(): boolean {
    if (!this.allowed('jpeg')) return false
    const form = this.rng.weighted([['master', 5], ['square', 3], ['ugoira', 2]] as const)
    const folder = this.folder('pixiv/thumbnails', 'Downloads')
    if (form === 'master' && this.pixivFirstPages.length > 0 && this.rng.chance(0.5)) {
      // The CDN's 1200px copy of a page the library already holds: same art, other size and name.
      const original = this.rng.pick(this.pixivFirstPages)
      const name = `${original.illustId}_p0_master1200.jpg`
      if (this.claim(name)) {
        const src = original.planned.image
        const [width, height] = fitAspect(src.width / src.height, 1200, this.o.minSide, this.o.maxSide)
        const copy: Omit<SyntheticImage, 'bytes'> = {
          relPath: joinRel(folder, name), kind: 'pixiv-master', width, height, format: 'jpeg',
          color: src.color, monochrome: src.monochrome, sameArtAs: src.relPath, mtimeMs: src.mtimeMs + this.rng.int(1, 400) * DAY_MS,
        }
        const t = src.textLines && src.textLang ? { lines: src.textLines, lang: src.textLang, vertical: src.textVertical === true } : undefined
        this.push(this.withText(copy, t), original.planned.visualSeed)
        return true
      }
    }
    const illustId = this.newIllustId()
    let name: string
    let size: [number, number]
    if (form === 'square') {
      name = `${illustId}_p0_square1200.jpg`
      const side = clamp(1200, this.o.minSide, this.o.maxSide)
      size = [side, side]
    } else if (form === 'ugoira') {
      name = `${illustId}_ugoira0.jpg`
      size = this.size('pixiv-master')
    } else {
      name = `${illustId}_p0_master1200.jpg`
      size = fitAspect(this.rng.weighted(ASPECTS['pixiv-master']), 1200, this.o.minSide, this.o.maxSide)
    }
    this.claim(name)
    const [width, height] = size
    this.push(this.withText({
      relPath: joinRel(folder, name), kind: 'pixiv-master', width, height, format: 'jpeg', ...this.look('pixiv-master'),
      mtimeMs: pixivDate(illustId) + this.rng.int(0, 60 * DAY_MS),
    }, this.textChoice('pixiv-master')))
    return true
  }

  private planTwitter(): void {
    const [userName, userId] = this.rng.pick(TWITTER_USERS)
    const format = this.pickFormat('twitter')
    for (;;) {
      const ms = Date.UTC(2019, 0, 1) + this.rng.int(0, 6 * 365) * DAY_MS + this.rng.int(0, DAY_MS - 1)
      // A real snowflake: the id encodes the same instant as the date in the name.
      const tweetId = ((BigInt(ms) - 1288834974657n) << 22n) | BigInt(this.rng.int(0, 0x3fffff))
      const d = new Date(ms)
      const stamp = `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}-${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}`
      const name = `twitter_${userName}(@${userId})_${stamp}_${tweetId}_photo.${extension(format)}`
      if (!this.claim(name)) continue
      const [width, height] = this.size('twitter')
      this.push(this.withText({
        relPath: joinRel(this.folder('twitter', 'twitter/likes'), name), kind: 'twitter', width, height, format, ...this.look('twitter'), mtimeMs: ms,
      }, this.textChoice('twitter')))
      return
    }
  }

  private planYandere(): void {
    let id: number
    do id = this.rng.int(100_000, 1_200_000)
    while (this.yandereIds.has(id))
    this.yandereIds.add(id)
    const look = this.look('yandere')
    const tags = new Set<string>(this.rng.sample(YANDERE_GENERAL, this.rng.int(2, 7)))
    if (this.rng.chance(0.75)) {
      const [character, copyright] = this.rng.pick(YANDERE_CHARACTERS)
      tags.add(character)
      tags.add(copyright)
    }
    if (look.monochrome) tags.add('monochrome')
    const format = this.pickFormat('yandere')
    // yande.re lists tags alphabetically in its download names.
    const name = `yande.re ${id} ${[...tags].sort().join(' ')}.${extension(format)}`
    this.claim(name)
    const [width, height] = this.size('yandere')
    this.push(this.withText({
      relPath: joinRel(this.folder('yande.re', 'yande.re/wallpapers'), name), kind: 'yandere', width, height, format, ...look,
      mtimeMs: Date.UTC(2011, 6, 1) + Math.floor(((id - 100_000) / 1_100_000) * 13 * 365 * DAY_MS),
    }, this.textChoice('yandere')))
  }

  private planAi(): void {
    const pngOk = this.allowed('png')
    let tool = this.rng.weighted([['a1111', 60], ['comfyui', 25], ['novelai', 15]] as const)
    if (!pngOk) tool = 'a1111'
    const format: SyntheticFormat = tool === 'a1111' ? this.pickFormat('ai') : 'png'
    const [w0, h0] = this.size('ai')
    // Generators only make sizes in multiples of 8.
    const width = roundTo8(w0, this.o.minSide, this.o.maxSide)
    const height = roundTo8(h0, this.o.minSide, this.o.maxSide)
    const date = this.rng.pick(this.aiDates)
    const mtimeMs = date + this.rng.int(0, DAY_MS - 1)
    const seed = tool === 'comfyui' && this.rng.chance(0.25)
      ? BigInt(this.rng.uint32()) * 4294967296n + BigInt(this.rng.uint32()) // ComfyUI's 64-bit seeds
      : BigInt(this.rng.uint32())
    const tags = this.promptTags()
    const negative = this.rng.pick(NEGATIVE_PROMPTS)
    const steps = this.rng.pick([20, 24, 25, 28, 30, 35, 40])
    const cfg = this.rng.pick([5, 6, 6.5, 7, 7.5, 8, 9])
    let name: string
    let folder: string
    let meta: { prompt: string; ai: SyntheticAiMetadata }
    if (tool === 'a1111') {
      do name = `${String(this.a1111Counter++).padStart(5, '0')}-${seed}.${extension(format)}`
      while (!this.claim(name))
      folder = this.o.subfolders ? `AI/txt2img-images/${isoDate(date)}` : ''
      meta = this.a1111Meta(tags, negative, seed, steps, cfg, width, height, format)
    } else if (tool === 'comfyui') {
      do name = `ComfyUI_${String(++this.comfyCounter).padStart(5, '0')}_.png`
      while (!this.claim(name))
      folder = this.o.subfolders ? 'AI/ComfyUI/output' : ''
      meta = this.comfyMeta(tags, negative, seed, steps, cfg, width, height)
    } else {
      // NovelAI names a download after the start of its prompt and the seed.
      const head = tags.slice(0, 4).join(', ').replace(/[\\/:*?"<>|{}[\]]/g, '').replace(/\s+/g, ' ').trim()
      name = `${head} s-${seed}.png`
      if (!this.claim(name)) {
        do name = `${head} s-${seed} (${this.rng.int(1, 99)}).png`
        while (!this.claim(name))
      }
      folder = this.o.subfolders ? 'AI/NovelAI' : ''
      meta = this.novelaiMeta(tags, negative, seed, steps, width, height)
    }
    const base: Omit<SyntheticImage, 'bytes'> = { relPath: joinRel(folder, name), kind: 'ai', width, height, format, ...this.look('ai'), mtimeMs }
    const withMeta = this.o.aiMetadata ? { ...base, prompt: meta.prompt, ai: meta.ai } : base
    this.push(this.withText(withMeta, this.textChoice('ai')))
  }

  private promptTags(): string[] {
    const tags = [this.rng.pick(PROMPT_SUBJECTS)]
    if (this.rng.chance(0.35)) tags.push(this.rng.pick(PROMPT_CHARACTERS))
    tags.push(...this.rng.sample(PROMPT_TAGS, this.rng.int(4, 10)))
    // A few non-Latin prompts force iTXt chunks and UTF-16 outside the Latin-1 range.
    if (this.rng.chance(0.1)) tags.push(this.rng.pick(PROMPT_JAPANESE))
    return tags
  }

  private a1111Meta(tags: string[], negative: string, seed: bigint, steps: number, cfg: number, width: number, height: number, format: SyntheticFormat): { prompt: string; ai: SyntheticAiMetadata } {
    const [model, hash] = this.rng.pick(A1111_MODELS)
    const sampler = this.rng.pick(A1111_SAMPLERS)
    const promptTags = ['masterpiece', 'best quality', ...tags]
    if (this.rng.chance(0.5)) promptTags[2] = `(${promptTags[2]}:1.2)`
    const lora = this.rng.chance(0.3) ? this.rng.pick(A1111_LORAS) : undefined
    let prompt = promptTags.join(', ')
    if (lora) prompt += `, <lora:${lora[0]}:${this.rng.pick(['0.6', '0.7', '0.8', '1'])}>`
    const settings = [
      `Steps: ${steps}`, `Sampler: ${sampler}`, `CFG scale: ${cfg}`, `Seed: ${seed}`, `Size: ${width}x${height}`,
      `Model hash: ${hash}`, `Model: ${model}`,
      ...(this.rng.chance(0.4) ? ['Clip skip: 2'] : []),
      ...(lora ? [`Lora hashes: "${lora[0]}: ${lora[1]}"`] : []),
      `Version: ${this.rng.pick(['v1.6.0', 'v1.7.0', 'v1.9.4', 'v1.10.1'])}`,
    ]
    const text = `${prompt}\nNegative prompt: ${negative}\n${settings.join(', ')}`
    const container = format === 'png' ? 'png-text' : 'exif-user-comment'
    return {
      prompt,
      ai: {
        tool: 'a1111', container, entries: container === 'png-text' ? { parameters: text } : { UserComment: text },
        negativePrompt: negative, seed: String(seed), steps, cfg, sampler, model,
      },
    }
  }

  private comfyMeta(tags: string[], negative: string, seed: bigint, steps: number, cfg: number, width: number, height: number): { prompt: string; ai: SyntheticAiMetadata } {
    const ckpt = `${this.rng.pick(A1111_MODELS)[0]}.safetensors`
    const sampler = this.rng.pick(COMFY_SAMPLERS)
    const scheduler = this.rng.pick(COMFY_SCHEDULERS)
    const prompt = tags.join(', ')
    const graph: Json = {
      '3': { inputs: { seed, steps, cfg: new PyFloat(cfg), sampler_name: sampler, scheduler, denoise: new PyFloat(1), model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] }, class_type: 'KSampler', _meta: { title: 'KSampler' } },
      '4': { inputs: { ckpt_name: ckpt }, class_type: 'CheckpointLoaderSimple', _meta: { title: 'Load Checkpoint' } },
      '5': { inputs: { width, height, batch_size: 1 }, class_type: 'EmptyLatentImage', _meta: { title: 'Empty Latent Image' } },
      '6': { inputs: { text: prompt, clip: ['4', 1] }, class_type: 'CLIPTextEncode', _meta: { title: 'CLIP Text Encode (Prompt)' } },
      '7': { inputs: { text: negative, clip: ['4', 1] }, class_type: 'CLIPTextEncode', _meta: { title: 'CLIP Text Encode (Prompt)' } },
      '8': { inputs: { samples: ['3', 0], vae: ['4', 2] }, class_type: 'VAEDecode', _meta: { title: 'VAE Decode' } },
      '9': { inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] }, class_type: 'SaveImage', _meta: { title: 'Save Image' } },
    }
    const node = (id: number, type: string, widgets: Json[]): Json => ({ id, type, pos: [id * 100, 200], size: [315, 262], flags: {}, order: id, mode: 0, properties: {}, widgets_values: widgets })
    const workflow: Json = {
      last_node_id: 9,
      last_link_id: 9,
      nodes: [
        node(3, 'KSampler', [seed, 'randomize', steps, new PyFloat(cfg), sampler, scheduler, new PyFloat(1)]),
        node(4, 'CheckpointLoaderSimple', [ckpt]),
        node(5, 'EmptyLatentImage', [width, height, 1]),
        node(6, 'CLIPTextEncode', [prompt]),
        node(7, 'CLIPTextEncode', [negative]),
        node(8, 'VAEDecode', []),
        node(9, 'SaveImage', ['ComfyUI']),
      ],
      links: [[1, 4, 0, 3, 0, 'MODEL'], [2, 6, 0, 3, 1, 'CONDITIONING'], [3, 7, 0, 3, 2, 'CONDITIONING'], [4, 5, 0, 3, 3, 'LATENT'], [5, 4, 1, 6, 0, 'CLIP'], [6, 4, 1, 7, 0, 'CLIP'], [7, 3, 0, 8, 0, 'LATENT'], [8, 4, 2, 8, 1, 'VAE'], [9, 8, 0, 9, 0, 'IMAGE']],
      groups: [],
      config: {},
      extra: { ds: { scale: new PyFloat(1), offset: [0, 0] } },
      version: new PyFloat(0.4),
    }
    return {
      prompt,
      ai: {
        tool: 'comfyui', container: 'png-text', entries: { prompt: pyJsonDumps(graph), workflow: pyJsonDumps(workflow) },
        negativePrompt: negative, seed: String(seed), steps, cfg, sampler, model: ckpt,
      },
    }
  }

  private novelaiMeta(tags: string[], negative: string, seed: bigint, steps: number, width: number, height: number): { prompt: string; ai: SyntheticAiMetadata } {
    // NovelAI users weight tags with braces rather than (tag:1.2).
    const prompt = [`{{${tags[0]}}}`, ...tags.slice(1), 'best quality', 'amazing quality', 'very aesthetic', 'absurdres'].join(', ')
    const source = this.rng.pick(NOVELAI_SOURCES)
    const sampler = this.rng.pick(NOVELAI_SAMPLERS)
    const scale = this.rng.pick([5, 5.5, 6, 7])
    const comment: Json = {
      prompt, steps, height, width, scale: new PyFloat(scale), uncond_scale: new PyFloat(1), cfg_rescale: new PyFloat(0), seed,
      n_samples: 1, hide_debug_overlay: false, noise_schedule: 'native', legacy_v3_extend: false,
      reference_information_extracted_multiple: [], reference_strength_multiple: [], sampler,
      controlnet_strength: new PyFloat(1), controlnet_model: null, dynamic_thresholding: false,
      dynamic_thresholding_percentile: new PyFloat(0.999), dynamic_thresholding_mimic_scale: new PyFloat(10),
      sm: false, sm_dyn: false, skip_cfg_below_sigma: new PyFloat(0), lora_unet_weights: null, lora_clip_weights: null,
      uc: negative, request_type: 'PromptGenerateRequest',
    }
    return {
      prompt,
      ai: {
        tool: 'novelai',
        container: 'png-text',
        entries: {
          Title: 'AI generated image',
          Description: prompt,
          Software: 'NovelAI',
          Source: source,
          'Generation time': this.rng.float(1.5, 9).toFixed(3),
          Comment: pyJsonDumps(comment),
        },
        negativePrompt: negative, seed: String(seed), steps, cfg: scale, sampler, model: source,
      },
    }
  }

  private planOther(): void {
    const form = this.rng.weighted([['wallpaper', 3], ['img', 3], ['screenshot-win', 2], ['screenshot-mac', 1], ['screenshot-android', 2], ['download', 2], ['untitled', 1]] as const)
    const isScreenshot = form.startsWith('screenshot')
    const format = isScreenshot && this.allowed('png') ? 'png' : this.pickFormat('other')
    const ext = extension(format)
    const ms = Date.UTC(2019, 0, 1) + this.rng.int(0, 6 * 365) * DAY_MS + this.rng.int(0, DAY_MS - 1)
    const d = new Date(ms)
    const ymd = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`
    const hms = [pad2(d.getUTCHours()), pad2(d.getUTCMinutes()), pad2(d.getUTCSeconds())]
    let name: string
    for (let attempt = 0; ; attempt++) {
      // Past a few collisions, a browser-style " (n)" keeps the form and makes the name unique.
      const dup = attempt > 3 ? ` (${attempt})` : ''
      switch (form) {
        case 'wallpaper': name = `wallpaper (${this.rng.int(1, 99)})${dup}.${ext}`; break
        case 'img': name = `IMG_${String(this.rng.int(1, 9999)).padStart(4, '0')}${dup}.${ext}`; break
        case 'screenshot-win': name = `スクリーンショット ${ymd} ${hms.join('')}${dup}.${ext}`; break
        case 'screenshot-mac': name = `スクリーンショット ${ymd} ${Number(hms[0])}.${hms[1]}.${hms[2]}${dup}.${ext}`; break
        case 'screenshot-android': name = `Screenshot_${ymd.replaceAll('-', '')}-${hms.join('')}${dup}.${ext}`; break
        case 'download': name = `download (${this.rng.int(1, 60)})${dup}.${ext}`; break
        case 'untitled': name = `${this.rng.pick(['無題', 'untitled', 'イラスト'])}${this.rng.int(1, 40)}${dup}.${ext}`; break
      }
      if (this.claim(name)) break
    }
    const [width, height] = this.size('other')
    this.push(this.withText({
      relPath: joinRel(this.folder('', 'misc', 'misc/壁紙'), name), kind: 'other', width, height, format, ...this.look('other'), mtimeMs: ms,
    }, this.textChoice('other')))
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(Math.max(n, lo), hi)
}

/** Width and height with the given ratio and longer side, both kept in [min, max]. */
function fitAspect(ratio: number, long: number, min: number, max: number): [number, number] {
  const l = clamp(Math.round(long), min, max)
  const short = clamp(Math.round(ratio < 1 ? l * ratio : l / ratio), min, max)
  return ratio < 1 ? [short, l] : [l, short]
}

function roundTo8(n: number, min: number, max: number): number {
  let r = Math.round(n / 8) * 8
  if (r < min) r += 8
  if (r > max) r -= 8
  return r >= min && r <= max ? r : n
}

function pad2(n: number): string {
  return String(n).padStart(2, '0')
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** Roughly when pixiv issued an illust id, so mtimes and ids agree. */
function pixivDate(illustId: number): number {
  return Date.UTC(2011, 5, 1) + Math.floor(((illustId - 20_000_000) / 105_000_000) * 13.5 * 365 * DAY_MS)
}

function extension(format: SyntheticFormat): string {
  return format === 'jpeg' ? 'jpg' : format
}

function joinRel(folder: string, name: string): string {
  return folder ? `${folder}/${name}` : name
}

// ---------------------------------------------------------------------------
// Python-style JSON: ComfyUI and NovelAI write json.dumps output (", " and ": "
// separators, \u escapes, floats always with a decimal point), and readers are
// best tested against the same bytes.

class PyFloat {
  constructor(readonly value: number) {}
}

type Json = null | boolean | number | bigint | string | PyFloat | Json[] | { [key: string]: Json }

function pyString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function pyJsonDumps(value: Json): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') return pyString(value)
  if (value instanceof PyFloat) return Number.isInteger(value.value) ? value.value.toFixed(1) : String(value.value)
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`
  return `{${Object.entries(value).map(([k, v]) => `${pyString(k)}: ${pyJsonDumps(v)}`).join(', ')}}`
}

// ---------------------------------------------------------------------------
// Pixels. One SVG per image, rasterised by librsvg at the final size. Made of
// solid fills only, it renders faster than a small render upscaled by sharp
// (measured: ~10 ms vs ~35 ms for 1400x1000), and text edges stay sharp for OCR.

interface Hsl {
  h: number
  s: number
  l: number
}

// Ranges that stay unmistakably the named colour whatever the jitter.
const COLOR_RANGES: Record<SyntheticColor, { h: [number, number]; s: [number, number]; l: [number, number] }> = {
  red: { h: [-6, 6], s: [70, 85], l: [40, 52] },
  green: { h: [112, 135], s: [45, 65], l: [32, 45] },
  blue: { h: [205, 225], s: [70, 85], l: [40, 52] },
  yellow: { h: [48, 56], s: [90, 100], l: [52, 60] },
  white: { h: [0, 360], s: [0, 8], l: [94, 100] },
  black: { h: [0, 360], s: [0, 8], l: [2, 10] },
}

/** Hex rather than CSS hsl(): exact, and every SVG renderer reads it. */
function hsl(c: Hsl, monochrome: boolean): string {
  const h = (((c.h % 360) + 360) % 360) / 360
  const s = monochrome ? 0 : clamp(c.s, 0, 100) / 100
  const l = clamp(c.l, 0, 100) / 100
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s
  const p = 2 * l - q
  const channel = (t: number): string => {
    const u = t < 0 ? t + 1 : t > 1 ? t - 1 : t
    const v = u < 1 / 6 ? p + (q - p) * 6 * u : u < 1 / 2 ? q : u < 2 / 3 ? p + (q - p) * (2 / 3 - u) * 6 : p
    return Math.round(v * 255).toString(16).padStart(2, '0')
  }
  return `#${channel(h + 1 / 3)}${channel(h)}${channel(h - 1 / 3)}`
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
}

function isWide(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0
  return cp >= 0x2e80
}

/** Text width in em, close enough to size a box: CJK glyphs are square, Latin about 0.62 em. */
function emWidth(line: string): number {
  let w = 0
  for (const ch of line) w += isWide(ch) ? 1 : 0.62
  return w
}

function buildSvg(image: SyntheticImage, visualSeed: number): string {
  const rng = new Rng(visualSeed)
  const { width: W, height: H, monochrome } = image
  const range = COLOR_RANGES[image.color]
  const base: Hsl = { h: rng.float(...range.h), s: rng.float(...range.s), l: rng.float(...range.l) }
  const other: Hsl = { h: base.h + rng.float(-4, 4), s: base.s, l: clamp(base.l + rng.float(-8, 8), range.l[0] - 4, range.l[1] + 4) }
  const f = (n: number): string => n.toFixed(1)
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`]
  // The gradient is drawn as many thin solid bands: librsvg paints a solid fill
  // several times faster than a <linearGradient>, and at these lightness steps
  // the banding is invisible. Generation time is dominated by this background.
  const angle = rng.float(0, Math.PI * 2)
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)]
  const half = (Math.abs(dx) * W + Math.abs(dy) * H) / 2
  const reach = Math.hypot(W, H)
  const at = (t: number, u: number): string => `${f(W / 2 + dx * t - dy * u)},${f(H / 2 + dy * t + dx * u)}`
  const bands = 32
  for (let i = 0; i < bands; i++) {
    const k = i / (bands - 1)
    const c: Hsl = { h: base.h + (other.h - base.h) * k, s: base.s + (other.s - base.s) * k, l: base.l + (other.l - base.l) * k }
    // Overlap each band with the next so antialiased edges leave no seams.
    const t0 = -half + (2 * half * i) / bands - (i === 0 ? 2 : 0)
    const t1 = -half + (2 * half * (i + 1)) / bands + (i === bands - 1 ? 2 : 0.75)
    parts.push(`<polygon points="${at(t0, -reach)} ${at(t1, -reach)} ${at(t1, reach)} ${at(t0, reach)}" fill="${hsl(c, monochrome)}"/>`)
  }
  // A soft light, as stacked translucent ellipses (the radial-gradient equivalent is as slow as the linear one).
  const [gx, gy] = [rng.float(0.2, 0.8) * W, rng.float(0.2, 0.8) * H]
  const rings = 6
  for (let i = 0; i < rings; i++) {
    const scale = 1 - i / rings
    parts.push(`<ellipse cx="${f(gx)}" cy="${f(gy)}" rx="${f(W * 0.4 * scale)}" ry="${f(H * 0.4 * scale)}" fill="#fff" fill-opacity="0.025"/>`)
  }
  // Accent shapes in other hues, each at most ~3.5% of the area, so the named colour stays dominant.
  const shapes = rng.int(3, 7)
  const area = W * H
  for (let i = 0; i < shapes; i++) {
    const accent: Hsl = monochrome
      ? { h: 0, s: 0, l: image.color === 'white' ? rng.float(15, 70) : rng.float(35, 90) }
      : { h: base.h + rng.float(60, 300), s: rng.float(50, 90), l: rng.float(35, 75) }
    const fill = `fill="${hsl(accent, monochrome)}" fill-opacity="${rng.float(0.55, 0.95).toFixed(2)}"`
    const a = rng.float(0.004, 0.035) * area
    const cx = rng.float(0.05, 0.95) * W
    const cy = rng.float(0.05, 0.95) * H
    switch (rng.pick(['circle', 'rect', 'triangle', 'star', 'ring'] as const)) {
      case 'circle':
        parts.push(`<circle cx="${f(cx)}" cy="${f(cy)}" r="${f(Math.sqrt(a / Math.PI))}" ${fill}/>`)
        break
      case 'rect': {
        const aspect = rng.float(0.4, 2.5)
        const w = Math.sqrt(a * aspect)
        const h = a / w
        parts.push(`<rect x="${f(cx - w / 2)}" y="${f(cy - h / 2)}" width="${f(w)}" height="${f(h)}" rx="${f(Math.min(w, h) * rng.float(0, 0.3))}" transform="rotate(${rng.int(0, 89)} ${f(cx)} ${f(cy)})" ${fill}/>`)
        break
      }
      case 'triangle':
      case 'star': {
        const points = rng.next() < 0.5 ? 3 : 5
        const star = points === 5
        const r = Math.sqrt(a / (star ? 1.1 : 1.3))
        const rot = rng.float(0, Math.PI * 2)
        const pts: string[] = []
        const n = star ? 10 : 3
        for (let k = 0; k < n; k++) {
          const rr = star && k % 2 === 1 ? r * 0.45 : r
          const t = rot + (k * Math.PI * 2) / n
          pts.push(`${f(cx + rr * Math.cos(t))},${f(cy + rr * Math.sin(t))}`)
        }
        parts.push(`<polygon points="${pts.join(' ')}" ${fill}/>`)
        break
      }
      case 'ring': {
        const r = Math.sqrt(a / Math.PI)
        parts.push(`<circle cx="${f(cx)}" cy="${f(cy)}" r="${f(r)}" fill="none" stroke="${hsl(accent, monochrome)}" stroke-width="${f(Math.max(2, r * 0.15))}" stroke-opacity="0.9"/>`)
        break
      }
    }
  }
  if (image.textLines && image.textLines.length > 0) parts.push(textSvg(image, rng))
  parts.push('</svg>')
  return parts.join('')
}

// Cairo and pango cache a scaled font per distinct size, and never free them in
// a long run: free-form sizes grew the process by ~1 MB per text image. A fixed
// ladder of sizes keeps that cache small.
const FONT_SIZES = [6, 8, 10, 12, 14, 16, 18, 20, 24, 28, 32, 36, 40, 48, 56, 64, 72, 80, 96, 112, 128, 144, 160, 192, 224, 256, 320, 384, 448, 512]

/** The largest ladder size not above `px`, so a label that fits still fits. */
function fontSizeStep(px: number): number {
  let best = FONT_SIZES[0]!
  for (const size of FONT_SIZES) if (size <= px) best = size
  return best
}

function textSvg(image: SyntheticImage, rng: Rng): string {
  const { width: W, height: H } = image
  const lines = image.textLines ?? []
  const vertical = image.textVertical === true
  const glyphs = vertical ? [...(lines[0] ?? '')] : []
  const minSide = Math.min(W, H)
  let fs = minSide * rng.float(0.07, 0.11)
  const pad = (): number => fs * 0.45
  const lineStep = vertical ? 1.15 : 1.3
  const boxW = (): number => (vertical ? fs : Math.max(...lines.map(emWidth)) * fs) + 2 * pad()
  const boxH = (): number => (vertical ? glyphs.length : lines.length) * lineStep * fs + 2 * pad() - (lineStep - 1) * fs
  // Shrink until the label fits inside the picture with a margin.
  const fit = Math.min(1, (W * 0.9) / boxW(), (H * 0.9) / boxH())
  fs = fontSizeStep(fs * fit)
  const bw = boxW()
  const bh = boxH()
  const x = Math.max(0, rng.float(0.03 * W, Math.max(0.03 * W, W - bw - 0.03 * W)))
  const y = Math.max(0, rng.float(0.03 * H, Math.max(0.03 * H, H - bh - 0.03 * H)))
  const font = image.textLang === 'zh' ? FONT_ZH : image.textLang === 'en' ? FONT_EN : FONT_JA
  const style = rng.weighted([['bubble', 3], ['outline', 2], ['plain', 2]] as const)
  const f = (n: number): string => n.toFixed(1)
  const dark = image.color === 'white' || image.color === 'yellow'
  const out: string[] = []
  let fill = '#000'
  let extra = ''
  if (style === 'bubble') {
    // A manga speech bubble: black on white reads well whatever is behind it.
    out.push(`<rect x="${f(x)}" y="${f(y)}" width="${f(bw)}" height="${f(bh)}" rx="${f(Math.min(bw, bh) * 0.3)}" fill="#fff" stroke="#000" stroke-width="${f(Math.max(1.5, fs * 0.08))}"/>`)
  } else if (style === 'outline') {
    fill = '#fff'
    extra = ` stroke="#000" stroke-width="${f(Math.max(1, fs * 0.12))}" paint-order="stroke" stroke-linejoin="round"`
  } else {
    fill = dark ? '#000' : '#fff'
  }
  const cx = x + bw / 2
  const tspans = (vertical ? glyphs : lines)
    .map((t, i) => `<tspan x="${f(cx)}" y="${f(y + pad() + fs * 0.88 + i * lineStep * fs)}">${escapeXml(t)}</tspan>`)
    .join('')
  out.push(`<text font-family="${escapeXml(font)}" font-size="${f(fs)}" font-weight="bold" text-anchor="middle" fill="${fill}"${extra}>${tspans}</text>`)
  return out.join('')
}

const PNG_OPTIONS = { compressionLevel: 3, adaptiveFiltering: false } as const
const JPEG_OPTIONS = { quality: 90 } as const
// effort 0: WebP is otherwise the slowest format by far, and the size difference does not matter here.
const WEBP_OPTIONS = { quality: 82, effort: 0 } as const

async function renderImage(planned: PlannedImage): Promise<Buffer> {
  const { image } = planned
  // librsvg renders RGBA; drop the alpha so files look like real RGB or grey
  // illustrations. A grey picture has R = G = B, so taking one channel is exact
  // and about three times cheaper than a colourspace conversion.
  // Sagasu's own SVG: the SVG loader is blocked for everything else (media/image-decoder.ts).
  const encoded = await withTrustedSvg(() => {
    const svg = sharp(Buffer.from(buildSvg(image, planned.visualSeed)))
    const pipeline = image.monochrome ? svg.extractChannel(0) : svg.removeAlpha()
    return image.format === 'png'
      ? pipeline.png(PNG_OPTIONS).toBuffer()
      : image.format === 'jpeg'
        ? pipeline.jpeg(JPEG_OPTIONS).toBuffer()
        : pipeline.webp(WEBP_OPTIONS).toBuffer()
  })
  return image.ai ? embedAiMetadata(encoded, image.format, image.ai) : encoded
}

function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false
  return true
}

function embedAiMetadata(buf: Buffer, format: SyntheticFormat, ai: SyntheticAiMetadata): Buffer {
  if (ai.container === 'exif-user-comment') {
    const text = ai.entries.UserComment ?? ''
    return format === 'jpeg'
      ? insertJpegExif(buf, writeExifUserComment(text, { exifHeader: true }))
      : insertWebpExif(buf, writeExifUserComment(text))
  }
  // Like PIL (which A1111, ComfyUI and NovelAI all use): tEXt when Latin-1 holds the text, iTXt otherwise.
  const latin: Record<string, string> = {}
  const wide: Record<string, string> = {}
  for (const [k, v] of Object.entries(ai.entries)) (isLatin1(v) ? latin : wide)[k] = v
  let out = buf
  if (Object.keys(latin).length > 0) out = writePngTextChunks(out, latin, { chunkType: 'tEXt' })
  if (Object.keys(wide).length > 0) out = writePngTextChunks(out, wide, { chunkType: 'iTXt' })
  return out
}

// ---------------------------------------------------------------------------

/**
 * Writes `opts.count` images into `dir` (created if needed) and describes them, in
 * plan order. At most `concurrency` images are in memory at once, so 10,000
 * large files cost no more memory than a few.
 */
export async function generateSyntheticLibrary(dir: string, opts: SyntheticLibraryOptions): Promise<SyntheticImage[]> {
  const o = resolveOptions(opts)
  const plan = new Planner(o).plan()
  const total = plan.length
  await mkdir(dir, { recursive: true })
  const madeDirs = new Map<string, Promise<string | undefined>>()
  const ensureDir = (rel: string): Promise<string | undefined> => {
    let p = madeDirs.get(rel)
    if (!p) {
      p = mkdir(path.join(dir, rel), { recursive: true })
      madeDirs.set(rel, p)
    }
    return p
  }

  let next = 0
  let done = 0
  let failed = false
  const worker = async (): Promise<void> => {
    while (!failed && next < total) {
      const planned = plan[next++]!
      try {
        const data = await renderImage(planned)
        const rel = path.posix.dirname(planned.image.relPath)
        if (rel !== '.') await ensureDir(rel)
        const file = path.join(dir, ...planned.image.relPath.split('/'))
        await writeFile(file, data)
        const t = planned.image.mtimeMs / 1000
        await utimes(file, t, t)
        planned.image.bytes = data.length
      } catch (err) {
        // Stop the other workers too: a half-written library is worse than a clear error.
        failed = true
        throw err
      }
      done++
      o.onProgress?.(done, total)
    }
  }
  await Promise.all(Array.from({ length: Math.min(o.concurrency, Math.max(total, 1)) }, worker))
  return plan.map((p) => p.image)
}
