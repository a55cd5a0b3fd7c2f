/**
 * The differential test of the two query compilers: one generated library stored in the real
 * SQLite store and, as MongoDB documents, evaluated with mingo; hundreds of generated queries must
 * return the same ids in the same order from both. A third, plain evaluation of
 * docs/query-semantics.md over the documents tells, for each disagreement, which side broke the rules.
 */
import { writeFileSync } from 'node:fs'
import fc from 'fast-check'
import { Query } from 'mingo'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AiParameters, ImageInput, ImageRecord, SourceType, TagCategory, TagScore } from '../shared/types/image'
import {
  FIELDS, parseQuery, parseSort, printQuery, printSort, printTerms,
  type AndNode, type CompareOp, type Comparison, type FieldInfo, type FieldName, type QueryNode, type SortKey, type Value,
} from '../server/query'
import { parseDate } from '../server/query/dates'
import { mergeTags1 } from '../server/query/tags1-merge'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import { toMongoDocument, type MongoImageDocument } from '../server/store/servers/mongo-document'
import { compileMongoFilter, compileMongoSort, tagPattern } from '../server/store/servers/mongo-filter'
import type { PixivOutcome, SortCursor, Store } from '../server/store/store'
import { seededRandom } from '../shared/seeded-random'
import { tempDir } from './helpers/library'

const SEED = 20_261_121
const IMAGE_COUNT = 400
const QUERY_COUNT = 600
/** The fixed "now" relative dates are resolved against. */
const NOW = Date.UTC(2026, 6, 1, 9, 30)
const DAY = 86_400_000
const FAILURES_FILE = '/tmp/differential-failures.txt'
const span = { start: 0, end: 0 }

// ─── The library ────────────────────────────────────────────────────────────────────────────────
// Accented, full-width and Japanese text on purpose (case folding is ASCII only). Values that are
// compared or sorted stay in the Basic Multilingual Plane: mingo orders strings by UTF-16 code
// unit, MongoDB and SQLite by code point, and those differ only above U+FFFF.

const TAGS: Array<[string, TagCategory]> = [
  ['long_hair', 'general'], ['short_hair', 'general'], ['blue_hair', 'general'], ['red_hair', 'general'],
  ['very_long_hair', 'general'], ['hair_ornament', 'general'], ['hairband', 'general'], ['blue_eyes', 'general'],
  ['red_eyes', 'general'], ['1girl', 'general'], ['2girls', 'general'], ['solo', 'general'], ['smile', 'general'],
  ['open_mouth', 'general'], ['blush', 'general'], ['looking_at_viewer', 'general'], ['skirt', 'general'],
  ['school_uniform', 'general'], ['thighhighs', 'general'], ['sky', 'general'], ['cloud', 'general'],
  ['outdoors', 'general'], ['simple_background', 'general'], ['white_background', 'general'], ['hat', 'general'],
  [':d', 'general'], ['^_^', 'general'], ['st._louis_(azur_lane)', 'character'], ['hatsune_miku', 'character'],
  ['hakurei_reimu', 'character'], ['azur_lane', 'copyright'], ['vocaloid', 'copyright'], ['touhou', 'copyright'],
  ['rating:general', 'rating'], ['rating:sensitive', 'rating'], ['rating:questionable', 'rating'],
  ['rating:explicit', 'rating'], ['highres', 'meta'], ['absurdres', 'meta'], ['commentary_request', 'meta'],
]
/** What the servers store looks up in its tags collection: the tag names a pattern matches. */
const tagNamesMatching = (pattern: string): string[] => TAGS.map(([name]) => name).filter((name) => new RegExp(tagPattern(pattern)).test(name))
const TAGS1 = ['original', 'Blue_sky', 'blue_sky', '青空', 'オリジナル', 'hatsune_miku', 'landscape', 'Genshin',
  '東方Project', 'fate/grand_order', 'C++', 'ぼっち・ざ・ろっく!', 'long_hair', 'SKY', 'Café']
const OCR_TEXTS = ['Hello World', 'SALE 50% OFF', 'Thank you!', 'Sagasu v1.0 (beta)', 'COMIC MARKET 103',
  'ありがとうございました', '東京タワー', '雨の日', 'おはよう ございます', 'コミックマーケット C103', 'ＳＡＬＥ 開催中', 'ｓａｌｅ', 'Äpfel',
  'Café au lait', 'CAFÉ NOIR', 'a.b*c [x] (y) {z} ^$|?+\\', 'He said "hi"', 'ありがとう THANKS 雨', 'Ｔｏｋｙｏ 東京',
  '  spaced   out  ', 'x', '    ']
const PROMPT_PARTS = ['1girl', 'long hair', 'blue eyes', 'masterpiece', 'best quality', '(masterpiece:1.2)', 'solo', '雨',
  'umbrella', 'landscape', 'sky', 'cloud', 'no humans', 'st. louis (azur lane)', '<lora:stlouis:0.8>', 'Smile', 'ＡＩ']
const NEGATIVE_PROMPTS = ['lowres, bad anatomy, worst quality', 'EasyNegative, (worst quality:1.4)', 'nsfw', 'blurry, 低品質']
const SIZES = [512, 600, 768, 800, 1024, 1080, 1200, 1920, 2048, 3000]
const USERNAMES = ['ゆき', 'Alice', 'alice', 'shiro_', '作者A', 'Zeta', 'bob']
const HANDLES = ['ArtistA', 'artist_b', 'Cc', 'zzz_draw', 'mika']
const PIXIV_USERS = ['1234', '99', '100', '5555555', '42']
const PIXIV_TITLES = ['雨の日', 'Rainy Day', 'rainy day', '無題', 'Café', '', 'C103 新刊', 'ＡＢＣ']
const PIXIV_TAGS: Array<[string, string | undefined]> = [['オリジナル', 'original'], ['女の子', 'girl'], ['青空', 'blue sky'], ['風景', undefined],
  ['Genshin', undefined], ['東方Project', 'Touhou Project'], ['long_hair', undefined]]

/** A small deterministic generator (mulberry32), so the library is the same on every run. */
function random(seed: number) {
  const next = seededRandom(seed)
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!
  const chance = (p: number) => next() < p
  const some = <T>(items: readonly T[], min: number, max: number): T[] => {
    const pool = [...items]
    const out: T[] = []
    for (let n = int(min, max); n > 0 && pool.length; n--) out.push(pool.splice(int(0, pool.length - 1), 1)[0]!)
    return out
  }
  return { next, int, pick, chance, some }
}

interface LibraryImage {
  input: ImageInput
  tags: TagScore[]
  ocr?: string
  added: number
}

const START = Date.UTC(2015, 0, 1)
const END = Date.UTC(2026, 5, 30)

/** pixiv metadata for about two thirds of the library's works; the rest keep none (missing values). */
function generatePixivWorks(illustids: string[]): Array<[string, PixivOutcome]> {
  const r = random(SEED + 1)
  return illustids.flatMap((illustid): Array<[string, PixivOutcome]> => {
    if (r.chance(0.35)) return r.chance(0.5) ? [[illustid, { status: 'deleted', message: 'gone', requests: 1 }]] : []
    const count = () => (r.chance(0.1) ? 0 : r.int(0, 5000))
    const tags = r.some(PIXIV_TAGS, 0, 4).map(([tag, translation]) => (translation ? { tag, translation } : { tag }))
    return [[illustid, {
      status: 'ok',
      requests: 1,
      work: {
        illustid, title: r.pick(PIXIV_TITLES), description: 'a<br />b', userId: r.pick(PIXIV_USERS), userName: r.pick(USERNAMES),
        createDate: r.int(START, END), views: count(), likes: count(), bookmarks: count(), comments: r.int(0, 3), tags,
      },
    }]]
  })
}

function generateLibrary(count: number): LibraryImage[] {
  const r = random(SEED)
  const paths = new Set<string>()
  const instant = () => {
    const at = r.int(START, END)
    if (r.chance(0.15)) return at - (at % DAY) // exactly midnight UTC: on a date boundary
    if (r.chance(0.05)) return Date.UTC(new Date(at).getUTCFullYear(), 0, 1)
    return at
  }
  const images: LibraryImage[] = []
  let added = START
  let illust = { id: '40000000', page: 0 }
  for (let i = 0; i < count; i++) {
    const type: SourceType = r.pick(['pixiv', 'pixiv', 'pixiv', 'twitter', 'twitter', 'yandere', 'other', 'other'])
    const format = r.pick(['png', 'png', 'jpeg', 'jpeg', 'gif', 'webp', 'avif', 'bmp'])
    const ext = format === 'jpeg' ? r.pick(['jpg', 'jpeg']) : format
    const animated = (format === 'gif' || format === 'webp') && r.chance(0.5)
    const width = r.pick(SIZES)
    const source: Partial<ImageInput> = {}
    let filename: string
    if (type === 'pixiv') {
      illust = r.chance(0.25) ? { id: illust.id, page: illust.page + 1 } : { id: String(r.int(40_000_000, 120_000_000)), page: 0 }
      Object.assign(source, { illustid: illust.id, page: illust.page, userid: r.pick(PIXIV_USERS) })
      if (r.chance(0.5)) source.username = r.pick(USERNAMES)
      if (r.chance(0.3)) source.date = instant()
      if (r.chance(0.4)) source.tags1 = r.some(TAGS1, 1, 4)
      filename = `${illust.id}_p${illust.page}.${ext}`
    } else if (type === 'twitter') {
      const tweetid = String(r.int(1, 9)) + String(r.int(0, 10 ** r.int(1, 9)))
      Object.assign(source, { userid: r.pick(HANDLES), tweetid })
      if (r.chance(0.8)) source.date = instant()
      if (r.chance(0.3)) source.username = r.pick(USERNAMES)
      filename = `${source.userid}-${tweetid}-img1.${ext}`
    } else if (type === 'yandere') {
      source.postid = String(r.int(1, 1_200_000))
      if (r.chance(0.9)) source.tags1 = r.some(TAGS1, 1, 6)
      filename = `yande.re ${source.postid} ${(source.tags1 ?? []).join(' ')}.${ext}`
    } else {
      if (r.chance(0.1)) source.tags1 = r.some(TAGS1, 1, 2)
      filename = `${r.pick(['IMG_', 'スクリーンショット ', 'wallpaper (', 'Untitled-'])}${i}.${ext}`
    }
    let path = `${r.pick(['', 'pixiv/', 'twitter/2020/', '壁紙/', 'Misc/'])}${filename}`
    if (paths.has(path)) path = `dup${i}/${path}`
    paths.add(path)

    let ai: AiParameters | undefined
    if ((type === 'other' || type === 'pixiv') && format === 'png' && r.chance(0.7)) {
      const prompt = r.some(PROMPT_PARTS, 1, 5).join(', ')
      ai = { source: r.pick(['a1111', 'comfyui', 'novelai'] as const), prompt, raw: prompt }
      if (r.chance(0.7)) ai.negativePrompt = r.pick(NEGATIVE_PROMPTS)
      if (r.chance(0.8)) ai.seed = r.int(0, 4_294_967_295)
      if (r.chance(0.7)) ai.steps = r.pick([20, 28, 30, 50])
      if (r.chance(0.7)) ai.cfg = r.pick([4.5, 5, 7, 7.5, 11])
      if (r.chance(0.7)) ai.sampler = r.pick(['Euler a', 'DPM++ 2M Karras', 'euler_ancestral', 'k_dpmpp_2m'])
      if (r.chance(0.6)) ai.model = r.pick(['anything-v5', 'animagine-xl-3.1', 'nai-diffusion-3', 'AOM3'])
    }

    const tags: TagScore[] = []
    if (r.chance(0.8)) {
      for (const [name, category] of r.some(TAGS, 0, 10)) tags.push({ name, category, score: r.int(4, 20) / 20 })
      if (r.chance(0.7) && !tags.some((tag) => tag.category === 'rating')) tags.push({ name: 'rating:general', category: 'rating', score: r.int(4, 20) / 20 })
    }
    // Imports come in batches: several images share one `added` instant.
    if (!r.chance(0.3)) added = Math.min(END, added + r.int(0, 25 * DAY))
    images.push({
      input: {
        folder: r.pick(['art', 'inbox', 'アーカイブ']), path, filename, ext, format, type,
        filesize: width * r.int(200, 3000), mtime: instant(), hash: i.toString(16).padStart(16, '0'),
        width, height: r.chance(0.3) ? width : r.pick(SIZES), animated, frames: animated ? r.int(2, 60) : 1,
        ...source, ...(ai ? { ai } : {}),
      },
      tags,
      ...(r.chance(0.45) ? { ocr: r.pick(OCR_TEXTS) } : {}),
      added,
    })
  }
  return images
}

// ─── Queries ────────────────────────────────────────────────────────────────────────────────────

interface GeneratedQuery {
  query: AndNode
  sort: SortKey[]
}

/** The values present in the library, so generated clauses hit real values and boundaries. */
function vocabulary(documents: MongoImageDocument[]) {
  const values = new Map<FieldName, Array<string | number | boolean>>()
  for (const field of Object.keys(FIELDS) as FieldName[]) {
    const seen = new Set<string | number | boolean>()
    for (const document of documents) {
      const value = readPath(document, documentPath(field))
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') seen.add(value)
    }
    values.set(field, [...seen])
  }
  const texts = {
    ocr: documents.flatMap((d) => (d.text ? [d.text] : [])),
    prompt: documents.flatMap((d) => (d.ai ? [d.ai.prompt] : [])),
    negative: documents.flatMap((d) => (d.ai?.negativePrompt ? [d.ai.negativePrompt] : [])),
    tags1: documents.flatMap((d) => d.tags1),
  }
  return { values, texts }
}

/** An AND list as the parser reads it: sibling tags1 clauses of one mode are one node (PxIMSE's rule). */
function tags1Merged(children: QueryNode[]): QueryNode[] {
  const merged = mergeTags1(children)
  if (!merged.ok) throw new Error(merged.error.message)
  return merged.value
}

function queryArbitrary(vocab: ReturnType<typeof vocabulary>): fc.Arbitrary<GeneratedQuery> {
  const fields = Object.keys(FIELDS) as FieldName[]
  const op = fc.constantFrom<CompareOp>('<', '<=', '>', '>=', '=', '!=')

  /** Date text in every form the language has, resolved by the parser's own date module. */
  const dateValue = (present: number[]): fc.Arbitrary<Value> => fc.oneof(
    fc.integer({ min: 2014, max: 2027 }).map(String),
    fc.integer({ min: Date.UTC(2014, 11, 1), max: Date.UTC(2026, 8, 1) }).chain((at) =>
      fc.constantFrom(10, 7, 16).map((length) => new Date(at).toISOString().slice(0, length))),
    // The day, month or minute of a stored value: its boundaries are in the library.
    fc.constantFrom(...(present.length ? present : [0])).chain((at) =>
      fc.constantFrom(10, 10, 7, 16, 19).map((length) => new Date(at).toISOString().slice(0, length))),
    fc.tuple(fc.integer({ min: 1, max: 4000 }), fc.constantFrom('d', 'd', 'w', 'mo', 'y', 'h')).map(([n, unit]) =>
      `-${unit === 'y' ? Math.ceil(n / 365) : unit === 'mo' ? Math.ceil(n / 30) : unit === 'w' ? Math.ceil(n / 7) : n}${unit}`),
    fc.constant('now'),
  ).map((text): Value => {
    const parsed = parseDate(text, NOW)
    if (!parsed.ok) throw new Error(`generated a bad date ${text}: ${parsed.error.message}`)
    return { kind: 'date', ...parsed.value, text }
  })
  const valueOf = (field: FieldName): fc.Arbitrary<Value> => {
    const type = FIELDS[field].type
    const present = vocab.values.get(field) ?? []
    if (type === 'date') return dateValue(present.map(Number))
    if (type === 'boolean') return fc.boolean().map((value) => ({ kind: 'boolean' as const, value }))
    if (type === 'number') {
      const numbers = present.length ? present.map(Number) : [0]
      return fc.oneof(
        fc.constantFrom(...numbers),
        fc.constantFrom(...numbers).chain((n) => fc.constantFrom(n - 1, n + 1, n + 0.5)),
        fc.integer({ min: -1, max: Math.max(...numbers, 1) }),
      ).map((value) => ({ kind: 'number' as const, value }))
    }
    const info: FieldInfo = FIELDS[field]
    // An enumeration takes only its own values.
    if (info.values) return fc.constantFrom(...info.values).map((value) => ({ kind: 'string' as const, value }))
    const strings = present.length ? present.map(String) : ['x']
    return fc.oneof(
      fc.constantFrom(...strings),
      fc.constantFrom(...strings).map((s) => s.slice(0, Math.max(1, s.length - 1))),
      fc.constantFrom(...strings).map((s) => s.toUpperCase()),
    ).map((value) => ({ kind: 'string' as const, value }))
  }
  // Booleans take only = and != (the parser says so).
  const opOf = (field: FieldName) => (FIELDS[field].type === 'boolean' ? fc.constantFrom<CompareOp>('=', '!=') : op)
  const comparisons = (field: FieldName, max: number) =>
    fc.array(fc.tuple(opOf(field), valueOf(field)).map(([o, value]): Comparison => ({ op: o, value, span })), { minLength: 1, maxLength: max })

  const compare: fc.Arbitrary<QueryNode> = fc.constantFrom(...fields).chain((field) =>
    comparisons(field, 2).map((c): QueryNode => ({ type: 'compare', field, comparisons: c, span })))
  const exists: fc.Arbitrary<QueryNode> = fc.oneof(fc.constantFrom<string>(...fields), fc.constantFrom('tags', 'tags1', 'm', 'prompt', 'animated'))
    .map((field): QueryNode => ({ type: 'exists', field, span }))

  const score = fc.oneof(fc.integer({ min: 0, max: 20 }).map((k) => k / 20), fc.constantFrom(0.33, 0.5, 0.999, 1))
    .map((value): Value => ({ kind: 'number', value }))
  const tagName = fc.oneof(
    { arbitrary: fc.constantFrom(...TAGS.map(([name]) => name)).map((name) => ({ name, pattern: false })), weight: 3 },
    {
      arbitrary: fc.constantFrom('*_hair', 'hair*', '*hair*', 'st.*', '*(azur_lane)', 'rating:*', '*', 'long*hair', '*_*_*',
        'st._louis_(*', '^_*', ':*', 'Long_*', '*girl*', 'h*t').map((name) => ({ name, pattern: true })),
      weight: 2,
    },
    { arbitrary: fc.constantFrom('not_a_tag', 'LONG_HAIR', 'st_louis').map((name) => ({ name, pattern: false })), weight: 1 },
  )
  const tag: fc.Arbitrary<QueryNode> = fc.tuple(tagName, fc.array(fc.tuple(op, score), { maxLength: 2 }))
    .map(([{ name, pattern }, c]): QueryNode => ({ type: 'tag', name, pattern, comparisons: c.map(([o, value]) => ({ op: o, value, span })), span }))

  const tags1: fc.Arbitrary<QueryNode> = fc.tuple(
    fc.constantFrom<'all' | 'any' | 'none'>('all', 'any', 'none'),
    fc.uniqueArray(fc.constantFrom(...TAGS1, 'missing_value'), { minLength: 1, maxLength: 3 }),
  ).map(([mode, values]): QueryNode => ({ type: 'tags1', mode, values, span }))

  const termOf = (texts: string[]) => fc.oneof(
    { arbitrary: fc.tuple(fc.constantFrom(...texts), fc.nat(), fc.integer({ min: 1, max: 6 }), fc.constantFrom('as-is', 'upper', 'lower', 'as-is')), weight: 4 },
    { arbitrary: fc.tuple(fc.constantFrom('hair', 'THANK', '雨', 'ー', 'xyz', 'é', 'É', 'café', 'CAFÉ', 'fé', 'ｓａｌｅ', 'ＳＡＬ', 'ｔｏｋｙｏ', 'ＴＯ',
      'CAF', 's', 'S', '(', '.', '"', '\\', 'ä', 'Ä'), fc.constant(0), fc.constant(99), fc.constant('as-is')), weight: 2 },
  ).map(([text, at, length, casing]) => {
    const words = text.split(/\s+/).filter(Boolean)
    const word = [...(words[at % Math.max(words.length, 1)] ?? text)]
    const from = at % Math.max(word.length, 1)
    const term = word.slice(from, from + length).join('')
    return casing === 'upper' ? term.toUpperCase() : casing === 'lower' ? term.toLowerCase() : term
  }).filter((term) => term.length > 0)
  const textNode = (target: 'ocr' | 'tags1' | 'prompt' | 'negative', texts: string[]) =>
    fc.array(termOf(texts), { minLength: 1, maxLength: 2 })
      .map((terms): QueryNode => ({ type: 'text', target, terms, text: printTerms(terms), span }))
  const text = fc.oneof(textNode('ocr', vocab.texts.ocr), textNode('tags1', vocab.texts.tags1),
    textNode('prompt', vocab.texts.prompt), textNode('negative', vocab.texts.negative))

  const leaf = fc.oneof(
    { arbitrary: compare, weight: 5 },
    { arbitrary: exists, weight: 2 },
    { arbitrary: tag, weight: 4 },
    { arbitrary: tags1, weight: 2 },
    { arbitrary: text, weight: 3 },
  )
  // `clause` is anything but an AND group (an AND directly inside an AND reads back flattened);
  // AND groups appear inside OR and NOT: `(a, b) | c`, `!(a, b)`.
  const { clause } = fc.letrec<{ clause: QueryNode; node: QueryNode }>((tie) => ({
    clause: fc.oneof(
      { maxDepth: 3, depthIdentifier: 'query' },
      { arbitrary: leaf, weight: 6 },
      { arbitrary: fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((children): QueryNode => ({ type: 'or', children, span })), weight: 2 },
      { arbitrary: tie('node').map((child): QueryNode => ({ type: 'not', child, span })), weight: 2 },
    ),
    node: fc.oneof(
      { maxDepth: 3, depthIdentifier: 'query' },
      { arbitrary: tie('clause'), weight: 5 },
      { arbitrary: fc.array(tie('clause'), { minLength: 2, maxLength: 2 }).map((children): QueryNode => {
        const merged = tags1Merged(children)
        return merged.length === 1 ? merged[0]! : { type: 'and', children: merged, span }
      }), weight: 1 },
    ),
  }))
  const sortable = fields.filter((field) => FIELDS[field].sortable)
  const sort = fc.array(
    fc.tuple(fc.constantFrom(...sortable), fc.constantFrom<1 | -1>(1, -1)).map(([field, direction]): SortKey => ({ field, direction, span })),
    { maxLength: 3 },
  )
  return fc.record({
    query: fc.array(clause, { maxLength: 4 }).map((children): AndNode => ({ type: 'and', children: tags1Merged(children), span })),
    // The sort syntax takes each field once.
    sort: sort.map((keys) => keys.filter((key, k) => keys.findIndex((other) => other.field === key.field) === k)),
  })
}

// ─── The rules, evaluated directly (only to tell which side is wrong) ───────────────────────────

function documentPath(field: string): string {
  return ['seed', 'steps', 'cfg', 'sampler', 'model'].includes(field) ? `ai.${field}` : field
}

function readPath(document: MongoImageDocument, path: string): unknown {
  let value: unknown = document
  for (const part of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined
  return value
}

function satisfies(actual: unknown, { op, value }: Comparison): boolean {
  if (value.kind === 'date') {
    const x = actual as number
    switch (op) {
      case '=': return x >= value.start && x < value.end
      case '!=': return x < value.start || x >= value.end
      case '>': return x >= value.end
      case '>=': return x >= value.start
      case '<': return x < value.start
      case '<=': return x < value.end
    }
  }
  if (typeof actual !== typeof value.value) return false
  const order = compareValues(actual, value.value)
  switch (op) {
    case '=': return order === 0
    case '!=': return order !== 0
    case '<': return order < 0
    case '<=': return order <= 0
    case '>': return order > 0
    case '>=': return order >= 0
  }
}

/** Numbers numerically, strings by code point, false before true. */
function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = [...a].map((c) => c.codePointAt(0)!)
    const y = [...b].map((c) => c.codePointAt(0)!)
    for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return x[k]! - y[k]!
    return x.length - y.length
  }
  return Number(a) - Number(b)
}

function wildcard(pattern: string, name: string): boolean {
  const parts = pattern.split('*')
  if (parts.length === 1) return pattern === name
  if (!name.startsWith(parts[0]!) || !name.endsWith(parts.at(-1)!) || name.length < parts[0]!.length + parts.at(-1)!.length) return false
  let at = parts[0]!.length
  const end = name.length - parts.at(-1)!.length
  for (const part of parts.slice(1, -1)) {
    const found = name.indexOf(part, at)
    if (found < 0 || found + part.length > end) return false
    at = found + part.length
  }
  return true
}

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase())

function matches(node: QueryNode, d: MongoImageDocument): boolean {
  switch (node.type) {
    case 'and': return node.children.every((child) => matches(child, d))
    case 'or': return node.children.some((child) => matches(child, d))
    case 'not': return !matches(node.child, d)
    case 'compare': {
      const value = readPath(d, documentPath(node.field))
      return value !== undefined && node.comparisons.every((comparison) => satisfies(value, comparison))
    }
    case 'exists':
      switch (node.field) {
        case 'tags': return d.tagList.length > 0
        case 'tags1': return d.tags1.length > 0
        case 'm': return d.textlen > 0
        case 'prompt': return d.ai !== undefined
        case 'animated': return d.animated
        default: return readPath(d, documentPath(node.field)) !== undefined
      }
    case 'tag':
      return d.tagList.some((t) => (node.pattern ? wildcard(node.name, t.n) : node.name === t.n) && node.comparisons.every((c) => satisfies(t.s, c)))
    case 'tags1':
      if (node.mode === 'all') return node.values.every((v) => d.tags1.includes(v))
      if (node.mode === 'any') return node.values.some((v) => d.tags1.includes(v))
      return !node.values.some((v) => d.tags1.includes(v))
    case 'text': {
      const haystacks = node.target === 'tags1' ? d.tags1
        : [{ ocr: d.text, prompt: d.ai?.prompt, negative: d.ai?.negativePrompt }[node.target]].filter((s): s is string => s !== undefined)
      return haystacks.length > 0 && node.terms.every((term) => haystacks.some((s) => asciiLower(s).includes(asciiLower(term))))
    }
  }
}

function expectedIds(query: AndNode, sort: SortKey[], documents: MongoImageDocument[]): number[] {
  const keys = [...sort.filter((key, k) => sort.findIndex((other) => other.field === key.field) === k)]
  if (!keys.some((key) => key.field === 'id')) keys.push({ field: 'id', direction: -1, span })
  return documents.filter((d) => matches(query, d)).sort((a, b) => {
    for (const key of keys) {
      const x = readPath(a, documentPath(key.field))
      const y = readPath(b, documentPath(key.field))
      // Missing values are the smallest: first ascending, last descending.
      const order = x === undefined ? (y === undefined ? 0 : -1) : y === undefined ? 1 : compareValues(x, y)
      if (order !== 0) return order * key.direction
    }
    return 0
  }).map((d) => d.id)
}

// ─── Reporting ──────────────────────────────────────────────────────────────────────────────────

/** An AST without spans, one line. */
function showAst(ast: unknown): string {
  return JSON.stringify(ast, (key, value: unknown) => (key === 'span' ? undefined : value))
}

/**
 * The generated query as text, and the AST the parser reads back from that text (with the fixed
 * `now`): what both compilers get, so the parser's own reading of the text is what is compared.
 */
function throughText(generated: GeneratedQuery): GeneratedQuery & { text: string; sortText: string; roundTrip?: string } {
  const text = printQuery(generated.query)
  const sortText = printSort(generated.sort)
  const query = parseQuery(text, { now: NOW })
  const sort = parseSort(sortText)
  if (!query.ok || !sort.ok) {
    const error = !query.ok ? `query: ${query.error.message} at ${query.error.position}` : !sort.ok ? `sort: ${sort.error.message} at ${sort.error.position}` : ''
    return { ...generated, text, sortText, roundTrip: `does not parse back (${error})` }
  }
  const roundTrip = showAst(query.value) === showAst(generated.query) && showAst(sort.value) === showAst(generated.sort)
    ? undefined
    : `parses back to a different AST:\n  printed from ${showAst(generated.query)}\n  parsed as    ${showAst(query.value)}`
  return { query: query.value, sort: sort.value, text, sortText, ...(roundTrip ? { roundTrip } : {}) }
}

/** The document fields a query reads, to show them for a differing image. */
function fieldsRead(node: QueryNode, into = new Set<string>(['id'])): Set<string> {
  switch (node.type) {
    case 'and': case 'or': node.children.forEach((child) => fieldsRead(child, into)); break
    case 'not': fieldsRead(node.child, into); break
    case 'compare': into.add(documentPath(node.field)); break
    case 'exists':
      into.add({ tags: 'tagList', tags1: 'tags1', m: 'textlen', prompt: 'ai' }[node.field] ?? documentPath(node.field))
      break
    case 'tag': into.add('tagList'); break
    case 'tags1': into.add('tags1'); break
    case 'text': into.add({ ocr: 'text', tags1: 'tags1', prompt: 'ai.prompt', negative: 'ai.negativePrompt' }[node.target]); break
  }
  return into
}

/** How often each clause form occurs in the generated queries (each query counted once per form). */
function coverage(queries: readonly GeneratedQuery[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const { query, sort } of queries) {
    const forms = new Set<string>()
    const walk = (node: QueryNode): void => {
      switch (node.type) {
        case 'and': case 'or':
          if (node !== query) forms.add(node.type)
          node.children.forEach(walk)
          break
        case 'not': forms.add('not'); walk(node.child); break
        case 'compare':
          forms.add(`compare ${FIELDS[node.field as FieldName].type}`)
          for (const { op, value } of node.comparisons) {
            forms.add(`op ${op}`)
            if (value.kind === 'date' && value.start === value.end) forms.add('relative date')
          }
          if (node.comparisons.length > 1) forms.add('range')
          break
        case 'exists': forms.add(['tags', 'tags1', 'm', 'prompt', 'animated'].includes(node.field) ? `exists ${node.field}` : 'exists field'); break
        case 'tag': forms.add(`tag${node.pattern ? ' pattern' : ''}${node.comparisons.length ? ' scored' : ''}`); break
        case 'tags1': forms.add(`tags1 ${node.mode}`); break
        case 'text':
          forms.add(`text ${node.target}`)
          if (node.terms.some((term) => [...term].length <= 2)) forms.add('short term')
          if (node.terms.some((term) => /[\u3040-\u9fff]/.test(term))) forms.add('Japanese term')
          break
      }
    }
    walk(query)
    if (!query.children.length) forms.add('empty query')
    if (query.children.length > 1) forms.add('and')
    if (sort.length) forms.add('sort')
    for (const form of forms) counts[form] = (counts[form] ?? 0) + 1
  }
  return counts
}

function firstDifference(a: number[], b: number[]): number {
  let k = 0
  while (k < a.length && k < b.length && a[k] === b[k]) k++
  return k
}

// ─── The test ───────────────────────────────────────────────────────────────────────────────────

describe('the SQL and MongoDB query compilers', () => {
  let store: Store
  let dataDir: string
  let documents: MongoImageDocument[]
  let byId: Map<number, MongoImageDocument>
  let cases: Array<ReturnType<typeof throughText>>
  const library = generateLibrary(IMAGE_COUNT)
  const report: { differential?: string[]; roundTrip?: string[] } = {}

  beforeAll(async () => {
    dataDir = tempDir('sagasu-differential-')
    // Every write goes through the in-memory index (started empty), which then counts the totals.
    store = openSqliteStore(dataDir, { memoryIndex: true })
    await store.warmUp()
    vi.useFakeTimers({ toFake: ['Date'] })
    const ids: number[] = []
    try {
      for (const image of library) {
        vi.setSystemTime(image.added) // the store stamps `added` with the clock
        const id = await store.saveImage(image.input)
        if (image.tags.length) await store.setTags(id, image.tags)
        if (image.ocr !== undefined) await store.setOcrText(id, image.ocr)
        ids.push(id)
      }
      const illustids = [...new Set(library.flatMap((image) => (image.input.illustid ? [image.input.illustid] : [])))]
      for (const [illustid, outcome] of generatePixivWorks(illustids)) await store.savePixivWork(illustid, outcome)
    } finally {
      vi.useRealTimers()
    }
    const records = await Promise.all(ids.map((id) => store.getImage(id)))
    documents = records.map((record) => toMongoDocument(record as ImageRecord))
    byId = new Map(documents.map((d) => [d.id, d]))
    cases = fc.sample(queryArbitrary(vocabulary(documents)), { seed: SEED, numRuns: QUERY_COUNT }).map(throughText)
  })
  afterAll(async () => {
    await store?.close()
    const section = (title: string, lines: string[] | undefined) =>
      lines === undefined ? `${title}: not run\n` : `${title}: ${lines.length} of ${QUERY_COUNT}\n\n${lines.map((line) => `${line}\n\n`).join('')}`
    writeFileSync(FAILURES_FILE, `Differential test, seed ${SEED}, ${IMAGE_COUNT} images, ${QUERY_COUNT} queries, now ${new Date(NOW).toISOString()}\n\n`
      + section('Queries where SQL and MongoDB disagree', report.differential)
      + section('Queries that do not print and parse back to the same AST', report.roundTrip))
  })

  it('get a library with every kind of value, and missing ones', () => {
    expect(documents).toHaveLength(IMAGE_COUNT)
    expect(new Set(documents.map((d) => d.type))).toEqual(new Set(['pixiv', 'twitter', 'yandere', 'other']))
    const count = (test: (d: MongoImageDocument) => boolean) => documents.filter(test).length
    for (const test of [(d: MongoImageDocument) => d.ai !== undefined, (d: MongoImageDocument) => d.date !== undefined,
      (d: MongoImageDocument) => d.tagList.length > 0, (d: MongoImageDocument) => d.tags1.length > 0, (d: MongoImageDocument) => d.textlen > 0,
      (d: MongoImageDocument) => d.animated, (d: MongoImageDocument) => d.ai?.seed === undefined,
      (d: MongoImageDocument) => d.bookmarks !== undefined, (d: MongoImageDocument) => d.type === 'pixiv' && d.bookmarks === undefined]) {
      expect(count(test)).toBeGreaterThan(10)
      expect(count(test)).toBeLessThan(IMAGE_COUNT - 10)
    }
    const generated = new Map(library.map((image) => [image.input.path, image]))
    for (const d of documents) {
      const image = generated.get(d.path)!
      expect(Object.fromEntries(d.tagList.map((t) => [t.n, t.s]))).toEqual(Object.fromEntries(image.tags.map((t) => [t.name, t.score])))
      expect(d.added).toBe(image.added)
    }
  })

  it('print every generated query to text that parses back to the same AST', () => {
    const broken = cases.filter((c) => c.roundTrip).map((c) => `${c.text}  [sort ${c.sortText || '(none)'}]\n  ${c.roundTrip}`)
    report.roundTrip = broken
    expect(broken, broken.slice(0, 3).join('\n\n')).toEqual([])
  })

  it(`return the same images in the same order for ${QUERY_COUNT} generated queries`, async () => {
    const forms = coverage(cases)
    for (const form of ['and', 'or', 'not', 'range', 'relative date', 'compare number', 'compare string', 'compare date', 'compare boolean',
      'op <', 'op <=', 'op >', 'op >=', 'op =', 'op !=', 'exists field', 'exists tags', 'exists tags1', 'exists m', 'exists prompt',
      'exists animated', 'tag', 'tag scored', 'tag pattern', 'tag pattern scored', 'tags1 all', 'tags1 any', 'tags1 none',
      'text ocr', 'text tags1', 'text prompt', 'text negative', 'short term', 'Japanese term', 'empty query', 'sort']) {
      expect(forms[form] ?? 0, `queries with ${form}`).toBeGreaterThanOrEqual(5)
    }
    const failures: string[] = []
    let selective = 0
    for (const [index, { query, sort, text, sortText }] of cases.entries()) {
      const mongoIds = new Query(compileMongoFilter(query, { tagNamesMatching })).find<MongoImageDocument>(documents).sort(compileMongoSort(sort)).all().map((d) => d.id)
      const page = await store.search({ query, sort, limit: IMAGE_COUNT + 1 })
      const sqlIds = page.results.map((image) => image.id)
      if (mongoIds.length > 0 && mongoIds.length < IMAGE_COUNT) selective++
      const problems: string[] = []
      if (sqlIds.join() !== mongoIds.join()) problems.push('results differ')
      if (page.total !== sqlIds.length) problems.push(`SQL total ${page.total} but ${sqlIds.length} results`)
      // Keyset paging must walk the same order (every third query, page sizes 1 to 17).
      if (index % 3 === 0 && sqlIds.length > 1) {
        const paged: number[] = []
        let after: SortCursor | undefined
        const limit = 1 + (index % 17)
        for (let pages = 0; pages <= IMAGE_COUNT; pages++) {
          const next = await store.search({ query, sort, limit, ...(after ? { after } : {}) })
          paged.push(...next.results.map((image) => image.id))
          if (!next.next) break
          after = next.next
        }
        if (paged.join() !== sqlIds.join()) problems.push(`SQL pages of ${limit} differ from one page (first difference at ${firstDifference(paged, sqlIds)})`)
      }
      if (!problems.length) continue

      const expected = expectedIds(query, sort, documents)
      const sqlSet = new Set(sqlIds)
      const mongoSet = new Set(mongoIds)
      const sqlOnly = sqlIds.filter((id) => !mongoSet.has(id))
      const mongoOnly = mongoIds.filter((id) => !sqlSet.has(id))
      const verdict = [sqlIds.join() === expected.join() ? null : 'SQL', mongoIds.join() === expected.join() ? null : 'MongoDB']
        .filter(Boolean).join(' and ') || 'neither by itself (see the problems)'
      const at = firstDifference(sqlIds, mongoIds)
      const differing = byId.get(sqlOnly[0] ?? mongoOnly[0] ?? sqlIds[at] ?? -1)
      const shown = differing ? Object.fromEntries([...fieldsRead(query)].map((path) => [path, readPath(differing, path)])) : undefined
      failures.push([
        `#${index} ${problems.join('; ')} — wrong by the rules: ${verdict}`,
        `  query: ${text}`,
        `  sort: ${sortText || '(none)'}`,
        `  AST: ${showAst(query)}`,
        `  SQL ${sqlIds.length}, MongoDB ${mongoIds.length}, rules ${expected.length}; SQL only: [${sqlOnly.slice(0, 20).join(', ')}]; MongoDB only: [${mongoOnly.slice(0, 20).join(', ')}]`,
        sqlOnly.length || mongoOnly.length ? '' : `  same ids, order differs from position ${at}: SQL ${sqlIds.slice(at, at + 5).join(', ')} / MongoDB ${mongoIds.slice(at, at + 5).join(', ')}`,
        shown ? `  image ${differing!.id}: ${JSON.stringify(shown)}` : '',
      ].filter(Boolean).join('\n'))
    }
    report.differential = failures
    // The generator must produce selective queries, not only all-or-nothing ones.
    expect(selective).toBeGreaterThan(QUERY_COUNT / 3)
    expect(failures, failures.slice(0, 5).join('\n\n')).toEqual([])
  })
  it('count the same totals with the in-memory index as SQL alone, as imported and after edits', async () => {
    const plain = openSqliteStore(dataDir)
    const compareCounts = async (label: string) => {
      let inMemory = 0
      let partly = 0
      const failures: string[] = []
      for (const { query, text } of cases) {
        const counted = (store.compile(query, []).text as { total: string }).total
        if (counted === 'memory index') inMemory++
        if (counted === 'memory index and sql') partly++
        const [memory, sql] = [await store.count(query), await plain.count(query)]
        if (memory !== sql) failures.push(`${label}: ${text}\n  memory index ${memory}, SQL ${sql}`)
      }
      return { inMemory, partly, failures }
    }
    try {
      const imported = await compareCounts('as imported')
      expect(imported.failures, imported.failures.slice(0, 5).join('\n')).toEqual([])
      // The generator draws from every field; the index holds tags, tags1, texts and the source type.
      expect(imported.inMemory).toBeGreaterThan(QUERY_COUNT / 8)
      expect(imported.partly).toBeGreaterThan(QUERY_COUNT / 10)

      // Tags replaced, OCR text set, images removed, files re-imported with other source data.
      const ids = documents.map((d) => d.id)
      for (const [k, id] of ids.slice(0, 40).entries()) {
        await store.setTags(id, TAGS.filter((_tag, t) => (t + k) % 7 === 0).map(([name, category], t) => ({ name, category, score: ((t + k) % 20) / 20 })))
      }
      for (const id of ids.slice(40, 60)) await store.setOcrText(id, 'Sale 東京 café')
      await store.removeImages(ids.slice(60, 90))
      for (const image of library.slice(90, 110)) {
        await store.saveImage({ ...image.input, type: 'twitter', tags1: ['original', '東方Project', 'new_value'], ai: undefined })
      }
      const edited = await compareCounts('after edits')
      expect(edited.failures, edited.failures.slice(0, 5).join('\n')).toEqual([])
      expect(edited.inMemory).toBeGreaterThan(QUERY_COUNT / 8)

      // A write by another connection (another process) makes the index stale: SQL counts until it reloads.
      await plain.setTags(ids[0]!, [{ name: 'blue_hair', category: 'general', score: 0.9 }])
      const query = parseQuery('tags.blue_hair, !tags.red_hair')
      if (!query.ok) throw new Error(query.error.message)
      expect((store.compile(query.value, []).text as { total: string }).total).toBe('sql')
      expect(await store.count(query.value)).toBe(await plain.count(query.value))
      await vi.waitFor(() => expect((store.compile(query.value, []).text as { total: string }).total).toBe('memory index'), { timeout: 20_000, interval: 200 })
      expect(await store.count(query.value)).toBe(await plain.count(query.value))
      const after = await compareCounts('after reloading')
      expect(after.failures, after.failures.slice(0, 5).join('\n')).toEqual([])
    } finally {
      await plain.close()
    }
  })
})
