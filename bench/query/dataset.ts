// The synthetic index of the query benchmark: `count` images written straight into a Sagasu SQLite
// database whose schema was made by openSqliteStore (the real migrations), in bulk.
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openSqliteStore } from '../../server/store/embedded/sqlite-store'
import { Rng, Zipf } from './random'
import { buildVocabulary, MODELS, NEGATIVE_WORDS, RATINGS, SAMPLERS } from './vocabulary'

export const DATASET_SEED = 20_261_121
const GENERAL_NAMES = 7_996
const CHARACTER_NAMES = 2_000
const PIXIV_USERS = 40_000
const TWITTER_USERS = 10_000
const BATCH = 50_000

const T0 = Date.UTC(2010, 0, 1)
const T1 = Date.UTC(2026, 10, 1)
const ADDED0 = Date.UTC(2025, 10, 1)
const ADDED_SPAN = 365 * 86_400_000
const DAY = 86_400_000

/** Values the benchmark's queries use, read from the generated data (so their results are known). */
export interface Picks {
  /** General tags by image count, most frequent first (the first 400). */
  general: Array<{ name: string; count: number }>
  characters: Array<{ name: string; count: number }>
  rare: { name: string; count: number; category: string }
  user: { userid: string; count: number; rank: number }
  tags1: Array<{ value: string; count: number }>
  hairTags: number
}

export interface DatasetInfo {
  count: number
  seed: number
  buildSeconds: number
  dbBytes: number
  sqliteVersion: string
  rows: Record<string, number>
  picks: Picks
}

type Log = (message: string) => void

/** The dataset in `dir` when a complete one is there (unless `rebuild`), else a fresh one; benchmarks share it. */
export async function cachedDataset(dir: string, count: number, log: Log, rebuild = false): Promise<DatasetInfo> {
  const marker = join(dir, '.complete')
  if (!rebuild && existsSync(marker)) {
    log(`reusing the index in ${dir}`)
    return JSON.parse(readFileSync(marker, 'utf8')) as DatasetInfo
  }
  log(`building an index of ${count} images in ${dir}`)
  const info = await buildDataset(dir, count, log)
  writeFileSync(marker, `${JSON.stringify(info, null, 2)}\n`)
  return info
}

/** Builds the database in `dir` (replacing whatever is there) and returns what it holds. */
export async function buildDataset(dir: string, count: number, log: Log): Promise<DatasetInfo> {
  const started = performance.now()
  rmSync(dir, { recursive: true, force: true })
  // The real schema: migrations run by the store itself.
  await openSqliteStore(dir).close()
  const file = join(dir, 'sagasu.db')
  const db = new Database(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = OFF')
    db.pragma('cache_size = -1048576')
    db.pragma('temp_store = MEMORY')
    const schemaBefore = schemaOf(db)

    // Triggers and secondary indexes go during the load; they come back from their own SQL text.
    const deferred = db.prepare<[], { type: string; name: string; sql: string }>(
      `SELECT type, name, sql FROM sqlite_master
       WHERE type = 'trigger' OR (type = 'index' AND sql IS NOT NULL AND tbl_name IN ('images', 'image_tags', 'tags1'))`).all()
    for (const item of deferred) db.exec(`DROP ${item.type === 'trigger' ? 'TRIGGER' : 'INDEX'} ${item.name}`)

    const generator = new Generator(count, DATASET_SEED)
    generator.writeTagNames(db)
    const inserted = generator.writeImages(db, log, started)

    log(`rebuilding ${deferred.filter((d) => d.type === 'index').length} indexes`)
    for (const item of deferred) if (item.type === 'index') db.exec(item.sql)
    db.exec(`UPDATE tag_names SET image_count = c.n
             FROM (SELECT tag_id, count(*) AS n FROM image_tags GROUP BY tag_id) AS c WHERE c.tag_id = tag_names.id`)
    for (const item of deferred) if (item.type === 'trigger') db.exec(item.sql)
    const schemaAfter = schemaOf(db)
    if (schemaAfter !== schemaBefore) throw new Error(`the schema changed during the bulk load:\n${schemaBefore}\n---\n${schemaAfter}`)
    log('ANALYZE')
    db.exec('ANALYZE')
    db.pragma('wal_checkpoint(TRUNCATE)')

    const drift = db.prepare(`SELECT count(*) AS n FROM tag_names t
      WHERE image_count <> (SELECT count(*) FROM image_tags WHERE tag_id = t.id)`).pluck().get() as number
    if (drift) throw new Error(`${drift} tag counts disagree with image_tags`)
    const picks = choosePicks(db)
    const rows = {
      ...inserted,
      tagNames: db.prepare('SELECT count(*) FROM tag_names').pluck().get() as number,
    }
    const sqliteVersion = db.prepare('SELECT sqlite_version()').pluck().get() as string
    db.close()
    const dbBytes = ['', '-wal', '-shm'].reduce((sum, suffix) => sum + fileSize(`${file}${suffix}`), 0)
    return { count, seed: DATASET_SEED, buildSeconds: (performance.now() - started) / 1000, dbBytes, sqliteVersion, rows, picks }
  } finally {
    if (db.open) db.close()
  }
}

function schemaOf(db: Database.Database): string {
  return db.prepare<[], { line: string }>("SELECT type || ' ' || name || ': ' || coalesce(sql, '') AS line FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name")
    .all().map((row) => row.line).join('\n')
}

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

function choosePicks(db: Database.Database): Picks {
  const general = db.prepare<[], { name: string; count: number }>(
    "SELECT name, image_count AS count FROM tag_names WHERE category = 'general' ORDER BY image_count DESC, name LIMIT 400").all()
  const characters = db.prepare<[], { name: string; count: number }>(
    "SELECT name, image_count AS count FROM tag_names WHERE category = 'character' ORDER BY image_count DESC, name LIMIT 50").all()
  const rare = db.prepare<[], { name: string; count: number; category: string }>(
    "SELECT name, image_count AS count, category FROM tag_names WHERE image_count > 0 AND category <> 'rating' ORDER BY abs(image_count - 50), name LIMIT 1").get()!
  const users = db.prepare<[], { userid: string; count: number }>(
    "SELECT userid, count(*) AS count FROM images WHERE type = 'pixiv' AND userid IS NOT NULL GROUP BY userid ORDER BY count DESC, userid LIMIT 200").all()
  const user = { ...users.at(-1)!, rank: users.length }
  const tags1 = db.prepare<[], { value: string; count: number }>(
    'SELECT value, count(*) AS count FROM tags1 GROUP BY value ORDER BY count DESC, value LIMIT 100').all()
  const hairTags = db.prepare("SELECT count(*) FROM tag_names WHERE name GLOB '*_hair' AND image_count > 0").pluck().get() as number
  return { general, characters, rare, user, tags1, hairTags }
}

/** Everything random about one index, drawn in image order from one seed. */
class Generator {
  private readonly rng: Rng
  private readonly vocab
  private readonly tagIds = new Map<string, number>()
  private readonly generalZipf
  private readonly characterZipf
  private readonly pixivUserZipf
  private readonly twitterUserZipf
  private readonly pixivTagZipf
  private readonly yandereTagZipf
  private readonly ocrJaZipf
  private readonly ocrEnZipf
  private readonly promptZipf
  private readonly negativeZipf
  private readonly pixivUsers: string[]
  private readonly twitterUsers: Array<{ id: string; name: string }>
  private readonly seen: Int32Array
  private readonly paths = new Set<string>()
  private stamp = 0

  constructor(private readonly count: number, seed: number) {
    this.rng = new Rng(seed)
    this.vocab = buildVocabulary(GENERAL_NAMES, CHARACTER_NAMES, seed)
    this.generalZipf = new Zipf(this.vocab.general.length, 1, this.rng)
    this.characterZipf = new Zipf(this.vocab.characters.length, 1.1, this.rng)
    this.pixivUserZipf = new Zipf(PIXIV_USERS, 1, this.rng)
    this.twitterUserZipf = new Zipf(TWITTER_USERS, 1, this.rng)
    this.pixivTagZipf = new Zipf(this.vocab.pixivTags.length, 1, this.rng)
    this.yandereTagZipf = new Zipf(3000, 1, this.rng)
    this.ocrJaZipf = new Zipf(this.vocab.ocrJa.length, 1, this.rng)
    this.ocrEnZipf = new Zipf(this.vocab.ocrEn.length, 1, this.rng)
    this.promptZipf = new Zipf(this.vocab.prompt.length, 1, this.rng)
    this.negativeZipf = new Zipf(NEGATIVE_WORDS.length, 0.7, this.rng)
    const ids = new Set<string>()
    while (ids.size < PIXIV_USERS) ids.add(String(this.rng.int(10_000, 99_999_999)))
    this.pixivUsers = [...ids]
    this.twitterUsers = Array.from({ length: TWITTER_USERS }, (_, n) => ({
      id: `${this.rng.pick(['ill', 'art', 'draw', 'e', 'pic', 'neko', 'sora', 'yuki'])}_${n.toString(36)}${this.rng.hex(2)}`,
      name: this.rng.next() < 0.5 ? `絵描き${n}` : `artist ${n}`,
    }))
    this.seen = new Int32Array(Math.max(this.vocab.general.length, this.vocab.characters.length, this.vocab.pixivTags.length, this.vocab.prompt.length, 3000))
  }

  writeTagNames(db: Database.Database): void {
    const insert = db.prepare<[number, string, string]>('INSERT INTO tag_names (id, name, category) VALUES (?, ?, ?)')
    db.transaction(() => {
      const all: Array<[string, string]> = [
        ...RATINGS.map((name): [string, string] => [name, 'rating']),
        ...this.vocab.general.map((name): [string, string] => [name, 'general']),
        ...this.vocab.characters.map((name): [string, string] => [name, 'character']),
      ]
      all.forEach(([name, category], k) => {
        insert.run(k + 1, name, category)
        this.tagIds.set(name, k + 1)
      })
    })()
  }

  writeImages(db: Database.Database, log: Log, started: number): Record<string, number> {
    const TAG_ROWS = 200
    const TAGS1_ROWS = 100
    const insertImage = db.prepare(`INSERT INTO images (id, folder, path, filename, ext, filesize, mtime, hash, width, height, format,
        animated, frames, type, illustid, page, userid, username, tweetid, postid, date, textlen, text, added_at, updated_at)
      VALUES (${Array(25).fill('?').join(', ')})`)
    const insertTags = db.prepare(`INSERT INTO image_tags (image_id, tag_id, score) VALUES ${Array(TAG_ROWS).fill('(?, ?, ?)').join(', ')}`)
    const insertTag = db.prepare('INSERT INTO image_tags (image_id, tag_id, score) VALUES (?, ?, ?)')
    const insertTags1 = db.prepare(`INSERT INTO tags1 (image_id, value) VALUES ${Array(TAGS1_ROWS).fill('(?, ?)').join(', ')}`)
    const insertTag1 = db.prepare('INSERT INTO tags1 (image_id, value) VALUES (?, ?)')
    const insertAi = db.prepare(`INSERT INTO ai_parameters (image_id, source, prompt, negative_prompt, seed, steps, cfg, sampler, model, extra, raw)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    const insertText = db.prepare('INSERT INTO fulltext (rowid, ocr, prompt, negative_prompt, tags1) VALUES (?, ?, ?, ?, ?)')
    const rows = { images: 0, imageTags: 0, tags1: 0, aiParameters: 0, fulltext: 0, ocr: 0 }
    let tagBuffer: number[] = []
    let tags1Buffer: Array<number | string> = []

    for (let first = 1; first <= this.count; first += BATCH) {
      const last = Math.min(this.count, first + BATCH - 1)
      db.exec('BEGIN')
      for (let id = first; id <= last; id++) {
        const image = this.image(id)
        insertImage.run(image.row)
        rows.images++
        for (const [tagId, score] of image.tags) tagBuffer.push(id, tagId, score)
        rows.imageTags += image.tags.length
        if (tagBuffer.length >= TAG_ROWS * 3) {
          insertTags.run(tagBuffer.slice(0, TAG_ROWS * 3))
          tagBuffer = tagBuffer.slice(TAG_ROWS * 3)
        }
        for (const value of image.tags1) tags1Buffer.push(id, value)
        rows.tags1 += image.tags1.length
        if (tags1Buffer.length >= TAGS1_ROWS * 2) {
          insertTags1.run(tags1Buffer.slice(0, TAGS1_ROWS * 2))
          tags1Buffer = tags1Buffer.slice(TAGS1_ROWS * 2)
        }
        if (image.ai) {
          insertAi.run(id, ...image.ai)
          rows.aiParameters++
        }
        if (image.text) rows.ocr++
        const tags1Text = image.tags1.length ? image.tags1.join(' ') : null
        if (image.text !== null || image.ai || tags1Text !== null) {
          insertText.run(id, image.text, image.ai?.[1] ?? null, image.ai?.[2] ?? null, tags1Text)
          rows.fulltext++
        }
      }
      for (let k = 0; k < tagBuffer.length; k += 3) insertTag.run(tagBuffer[k]!, tagBuffer[k + 1]!, tagBuffer[k + 2]!)
      for (let k = 0; k < tags1Buffer.length; k += 2) insertTag1.run(tags1Buffer[k]!, tags1Buffer[k + 1]!)
      tagBuffer = []
      tags1Buffer = []
      db.exec('COMMIT')
      log(`  ${last}/${this.count} images (${((performance.now() - started) / 1000).toFixed(0)} s)`)
    }
    return rows
  }

  /** Marks folder/path as used; false when an earlier image has it (UNIQUE (folder, path)). */
  private claim(folder: string, path: string): boolean {
    const key = `${folder}/${path}`
    if (this.paths.has(key)) return false
    this.paths.add(key)
    return true
  }

  /** Distinct ranks from a Zipf list. */
  private distinct(zipf: Zipf, count: number): number[] {
    return zipf.distinct(count, this.seen, ++this.stamp)
  }

  private image(id: number) {
    const rng = this.rng
    const type = (['pixiv', 'twitter', 'yandere', 'other'] as const)[rng.weighted([0.6, 0.2, 0.1, 0.1])]!
    const isAi = type === 'other' ? rng.next() < 0.8 : type === 'pixiv' && rng.next() < 0.033
    const date = type === 'other' ? null : Math.floor(T0 + (T1 - T0) * rng.next() ** 0.7)
    const format = isAi ? 'png'
      : type === 'pixiv' ? ['png', 'jpeg', 'gif'][rng.weighted([0.45, 0.5, 0.05])]!
      : type === 'twitter' ? ['jpeg', 'png'][rng.weighted([0.9, 0.1])]!
      : type === 'yandere' ? ['jpeg', 'png'][rng.weighted([0.6, 0.4])]!
      : ['jpeg', 'png', 'webp', 'gif'][rng.weighted([0.6, 0.2, 0.15, 0.05])]!
    const ext = format === 'jpeg' ? 'jpg' : format
    const animated = format === 'gif' && rng.next() < 0.6
    const frames = animated ? rng.int(2, 120) : 1
    const width = Math.round(500 + 3500 * rng.next() ** 1.6)
    const height = Math.min(4000, Math.max(500, Math.round(width * Math.exp(Math.log(0.5) + Math.log(4) * rng.next()))))
    const bytesPerPixel = { jpeg: 0.35, png: 1.4, webp: 0.25, gif: 0.8 }[format]!
    const filesize = Math.round(width * height * bytesPerPixel * (0.5 + rng.next()) * (animated ? Math.min(frames, 20) / 4 : 1)) + 1000
    const mtime = date === null ? Math.floor(T0 + (T1 - T0) * rng.next()) : date + rng.int(0, 30 * DAY)
    const added = Math.floor(ADDED0 + (ADDED_SPAN * id) / this.count) + rng.int(0, 60_000)
    const hash = rng.hex(16)

    let folder: string, filename = '', path = ''
    let illustid: string | null = null, page: number | null = null, userid: string | null = null, username: string | null = null
    let tweetid: string | null = null, postid: string | null = null
    let tags1: string[] = []
    let seed = 0
    if (type === 'pixiv') {
      userid = this.pixivUsers[this.pixivUserZipf.sample()]!
      let illust = 10_000_000 + Math.floor(((date! - T0) / (T1 - T0)) * 120_000_000) + rng.int(0, 999)
      page = rng.next() < 0.7 ? 0 : rng.int(1, 12)
      folder = 'pixiv'
      do {
        illustid = String(illust++)
        filename = `${userid}_${illustid}_p${page}.${ext}`
        path = `${userid}/${filename}`
      } while (!this.claim(folder, path))
      tags1 = this.distinct(this.pixivTagZipf, rng.int(3, 10)).map((k) => this.vocab.pixivTags[k]!)
    } else if (type === 'twitter') {
      const user = this.twitterUsers[this.twitterUserZipf.sample()]!
      userid = user.id
      username = user.name
      const ms = Math.max(date!, Date.UTC(2011, 0, 1))
      let snowflake = ((BigInt(ms) - 1288834974657n) << 22n) | BigInt(rng.int(0, 0x3fffff))
      const stamp = new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
      folder = 'twitter'
      do {
        tweetid = String(snowflake++)
        filename = `twitter_${username}(@${userid})_${stamp}_${tweetid}_photo.${ext}`
        path = `${userid}/${filename}`
      } while (!this.claim(folder, path))
    } else if (type === 'yandere') {
      let post = 100_000 + Math.floor(((date! - T0) / (T1 - T0)) * 1_100_000) + rng.int(0, 99)
      tags1 = this.distinct(this.yandereTagZipf, rng.int(5, 25)).map((k) => this.vocab.general[k]!)
      if (rng.next() < 0.4) tags1.push(this.vocab.characters[this.characterZipf.sample()]!)
      folder = 'yandere'
      do {
        postid = String(post++)
        filename = `yande.re ${postid} ${tags1.slice(0, 8).join(' ')}.${ext}`
        path = filename
      } while (!this.claim(folder, path))
    } else {
      folder = 'misc'
      do {
        if (isAi) {
          seed = rng.int(0, 4_294_967_295)
          filename = `${String(id % 100_000).padStart(5, '0')}-${seed}.png`
          path = `AI/txt2img-images/${new Date(mtime).toISOString().slice(0, 10)}/${filename}`
        } else {
          filename = `${rng.pick(['IMG_', 'image_', 'DSC', 'screenshot_', ''])}${rng.hex(8)}.${ext}`
          path = `saved/${filename}`
        }
      } while (!this.claim(folder, path))
    }

    let text: string | null = null
    if (rng.next() < 0.2) text = this.ocrText()

    let ai: [string, string, string | null, number, number, number, string, string, string, string] | undefined
    if (isAi) {
      if (!seed) seed = rng.int(0, 4_294_967_295)
      const words = this.distinct(this.promptZipf, rng.int(8, 35)).map((k) => this.vocab.prompt[k]!)
      const prompt = (rng.next() < 0.8 ? ['masterpiece', 'best quality', ...words.filter((w) => w !== 'masterpiece' && w !== 'best quality')] : words).join(', ')
      const negative = rng.next() < 0.85 ? this.distinct(this.negativeZipf, rng.int(3, 12)).map((k) => NEGATIVE_WORDS[k]!).join(', ') : null
      const source = (['a1111', 'comfyui', 'novelai'] as const)[rng.weighted([0.6, 0.25, 0.15])]!
      const steps = rng.pick([20, 25, 28, 30, 35, 40])
      const cfg = rng.pick([4.5, 5, 5.5, 6, 7, 7.5, 8])
      const sampler = rng.pick(SAMPLERS)
      const model = rng.pick(MODELS)
      const raw = `${prompt}\nNegative prompt: ${negative ?? ''}\nSteps: ${steps}, Sampler: ${sampler}, CFG scale: ${cfg}, Seed: ${seed}, Size: ${width}x${height}, Model: ${model}`
      ai = [source, prompt, negative, seed, steps, cfg, sampler, model, JSON.stringify({ size: `${width}x${height}` }), raw]
    }

    const tags: Array<[number, number]> = []
    const score = (low: number, u: number) => Math.round((low + (1 - low) * u) * 10_000) / 10_000
    const rating = rng.weighted([0.5, 0.3, 0.12, 0.08])
    tags.push([this.tagIds.get(RATINGS[rating]!)!, score(0.5, rng.next())])
    if (rng.next() < 0.6) tags.push([this.tagIds.get(RATINGS[rating === 3 ? 2 : rating + 1]!)!, Math.round((0.35 + 0.15 * rng.next()) * 10_000) / 10_000])
    for (const k of this.distinct(this.characterZipf, rng.weighted([0.4, 0.4, 0.15, 0.05]))) {
      tags.push([this.tagIds.get(this.vocab.characters[k]!)!, score(0.35, rng.next() ** 0.3)])
    }
    for (const k of this.distinct(this.generalZipf, rng.int(20, 35))) {
      tags.push([this.tagIds.get(this.vocab.general[k]!)!, score(0.35, Math.sqrt(rng.next()))])
    }
    tags.sort((a, b) => a[0] - b[0])

    const textlen = text === null ? 0 : [...text].length
    const row = [id, folder, path, filename, ext, filesize, mtime, hash, width, height, format, animated ? 1 : 0, frames, type,
      illustid, page, userid, username, tweetid, postid, date, textlen, text, added, added]
    return { row, tags, tags1, ai, text }
  }

  /** OCR text: Japanese (no spaces), English, or both, mostly short. */
  private ocrText(): string {
    const rng = this.rng
    const tokens = 2 + Math.floor(38 * rng.next() ** 2)
    const language = rng.weighted([0.45, 0.35, 0.2])
    const parts: string[] = []
    for (let k = 0; k < tokens; k++) {
      const japanese = language === 0 || (language === 2 && rng.next() < 0.5)
      if (japanese) {
        parts.push(this.vocab.ocrJa[this.ocrJaZipf.sample()]! + (rng.next() < 0.15 ? rng.pick(['、', '。', '！', '？', '\n']) : ''))
      } else {
        const word = this.vocab.ocrEn[this.ocrEnZipf.sample()]!
        parts.push(`${rng.next() < 0.1 ? word.toUpperCase() : word} `)
      }
    }
    return parts.join('').trim() || 'の'
  }
}
