import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSyntheticLibrary, type SyntheticImage, type SyntheticKind } from './synthetic-library'

// Small sides keep the suite fast; the forms and metadata do not depend on size.
// Seed 70 happens to yield every kind, AI tool and container, grey files, vertical
// text, XML metacharacters in text and a master1200 copy within 36 files.
const OPTS = { count: 36, seed: 70, minSide: 64, maxSide: 240, formats: ['png', 'jpeg', 'webp'] } as const

const NAME_FORMS: Record<SyntheticKind, RegExp> = {
  'pixiv': /^\d{4,8}_\d{8,9}_p\d{1,2}\.(png|jpg|webp)$/,
  'pixiv-short': /^\d{8,9}_p\d{1,2}\.(png|jpg|webp)$/,
  'pixiv-master': /^\d{8,9}_(p0_master1200|p0_square1200|ugoira0)\.jpg$/,
  'twitter': /^twitter_[^/()]+\(@[A-Za-z0-9_]{1,15}\)_\d{8}-\d{6}_\d{19}_photo\.(jpg|png|webp)$/,
  'yandere': /^yande\.re \d{6,7}( [^ /]+)+\.(jpg|png|webp)$/,
  'ai': /^(\d{5}-\d{1,10}\.(png|jpg|webp)|ComfyUI_\d{5}_\.png|[^/]+ s-\d{1,10}( \(\d+\))?\.png)$/,
  'other': /^(wallpaper \(\d+\)|IMG_\d{4}|スクリーンショット \d{4}-\d{2}-\d{2} (\d{6}|\d{1,2}\.\d{2}\.\d{2})|Screenshot_\d{8}-\d{6}|download \(\d+\)|(無題|untitled|イラスト)\d+)( \(\d+\))?\.(png|jpg|webp)$/,
}

const tmpDirs: string[] = []
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sagasu-'))
  tmpDirs.push(dir)
  return dir
}

function basename(img: SyntheticImage): string {
  return img.relPath.split('/').pop()!
}

/** How an embedded text is spelled in the file: tEXt is Latin-1, iTXt UTF-8, EXIF UserComment UTF-16BE. */
function encodings(text: string): Buffer[] {
  return [Buffer.from(text, 'latin1'), Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le').swap16()]
}

let dir: string
let images: SyntheticImage[]
const progress: Array<[number, number]> = []

beforeAll(async () => {
  dir = tmp()
  images = await generateSyntheticLibrary(dir, { ...OPTS, formats: [...OPTS.formats], onProgress: (d, t) => progress.push([d, t]) })
}, 10_000)

afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true })
})

describe('generateSyntheticLibrary', () => {
  it('writes every image it returns, decodable at the declared size and format', async () => {
    expect(images).toHaveLength(OPTS.count)
    for (const img of images) {
      const file = path.join(dir, img.relPath)
      expect(fs.existsSync(file), img.relPath).toBe(true)
      expect(fs.statSync(file).size).toBe(img.bytes)
      const meta = await sharp(file).metadata()
      expect({ name: img.relPath, width: meta.width, height: meta.height, format: meta.format })
        .toEqual({ name: img.relPath, width: img.width, height: img.height, format: img.format })
      expect(Math.min(img.width, img.height)).toBeGreaterThanOrEqual(OPTS.minSide)
      expect(Math.max(img.width, img.height)).toBeLessThanOrEqual(OPTS.maxSide)
      // RGB without alpha, like most illustrations; grey images single-channel where the format allows it.
      expect(meta.channels, img.relPath).toBe(img.monochrome && img.format !== 'webp' ? 1 : 3)
      expect(Math.abs(fs.statSync(file).mtimeMs - img.mtimeMs)).toBeLessThan(1000)
    }
  })

  it('names files in the forms real downloaders use, each name once', () => {
    for (const img of images) expect(basename(img), img.kind).toMatch(NAME_FORMS[img.kind])
    const names = images.map((img) => basename(img).toLowerCase())
    expect(new Set(names).size).toBe(names.length)
    const kinds = new Set(images.map((img) => img.kind))
    for (const kind of ['pixiv', 'pixiv-short', 'twitter', 'yandere', 'ai', 'other'] as const) expect(kinds).toContain(kind)
    // Spread over nested folders, with the same separator on every platform.
    expect(images.some((img) => img.relPath.split('/').length >= 3)).toBe(true)
    expect(images.every((img) => !img.relPath.includes('\\'))).toBe(true)
  })

  it('keeps ids realistic: tweet ids encode the date in the name, pixiv users recur', () => {
    for (const img of images.filter((i) => i.kind === 'twitter')) {
      const [, ymd, hms, id] = /_(\d{8})-(\d{6})_(\d{19})_photo/.exec(basename(img))!
      const fromId = Number((BigInt(id!) >> 22n) + 1288834974657n)
      const iso = new Date(fromId).toISOString()
      expect(iso.slice(0, 19).replace(/[-:]/g, '').replace('T', '-')).toBe(`${ymd}-${hms}`)
    }
    const users = images.filter((i) => i.kind === 'pixiv').map((i) => basename(i).split('_')[0])
    expect(new Set(users).size).toBeLessThan(users.length)
  })

  it('covers the variety the seed promises', () => {
    expect(new Set(images.map((img) => img.kind)).size).toBe(7)
    expect(images.some((img) => img.ai?.tool === 'a1111' && img.format === 'png')).toBe(true)
    expect(images.some((img) => img.ai?.container === 'exif-user-comment')).toBe(true)
    expect(images.some((img) => img.ai?.tool === 'comfyui')).toBe(true)
    expect(images.some((img) => img.ai?.tool === 'novelai')).toBe(true)
    expect(images.some((img) => img.monochrome && img.format !== 'webp')).toBe(true)
    expect(images.some((img) => img.textVertical)).toBe(true)
    expect(images.some((img) => /[&<>"']/.test(img.text ?? ''))).toBe(true)
    expect(images.some((img) => img.sameArtAs)).toBe(true)
  })

  it('draws text on some images and reports it', () => {
    const withText = images.filter((img) => img.text !== undefined)
    expect(withText.length).toBeGreaterThan(0)
    for (const img of withText) expect(img.text).toBe(img.textLines!.join('\n'))
  })

  it('makes the reported colour the dominant one', async () => {
    const named = ({ r, g, b }: { r: number; g: number; b: number }): string =>
      Math.min(r, g, b) > 190 ? 'white'
        : Math.max(r, g, b) < 70 ? 'black'
          : r > 150 && g > 140 && b < 120 ? 'yellow'
            : r > g + 50 && r > b + 50 ? 'red'
              : g > r && g > b ? 'green'
                : b > r && b > g ? 'blue' : 'unclear'
    for (const img of images) {
      const { dominant } = await sharp(path.join(dir, img.relPath)).stats()
      expect(named(dominant), img.relPath).toBe(img.color)
    }
  })

  it('renders a master1200 copy from the same art as its page', () => {
    for (const copy of images.filter((img) => img.sameArtAs)) {
      const original = images.find((img) => img.relPath === copy.sameArtAs)!
      expect(basename(copy)).toBe(`${basename(original).match(/(\d{8,9})_p0\./)![1]}_p0_master1200.jpg`)
      expect(copy.color).toBe(original.color)
      expect(copy.text).toBe(original.text)
    }
  })

  it('embeds AI generation parameters, readable in the raw bytes', () => {
    const ai = images.filter((img) => img.ai)
    expect(ai.length).toBeGreaterThan(0)
    expect(ai.some((img) => img.ai!.container === 'png-text')).toBe(true)
    for (const img of ai) {
      const raw = fs.readFileSync(path.join(dir, img.relPath))
      expect(img.prompt).toBeTruthy()
      for (const [key, text] of Object.entries(img.ai!.entries)) {
        if (img.ai!.container === 'png-text') {
          expect(raw.includes(Buffer.from(`${key}\0`, 'latin1')), `${img.relPath} ${key}`).toBe(true)
        } else {
          expect(raw.includes(Buffer.from('UNICODE\0', 'latin1')), img.relPath).toBe(true)
        }
        expect(encodings(text).some((b) => raw.includes(b)), `${img.relPath} ${key}`).toBe(true)
      }
      if (img.ai!.tool === 'a1111') {
        const params = Object.values(img.ai!.entries)[0]!
        expect(params).toContain('\nNegative prompt: ')
        expect(params).toMatch(new RegExp(`Steps: \\d+, Sampler: [^,]+, CFG scale: [\\d.]+, Seed: ${img.ai!.seed}, Size: ${img.width}x${img.height}, Model hash: [0-9a-f]{10}, Model: `))
      }
    }
    // Files that are not AI output carry no parameters.
    for (const img of images.filter((i) => i.kind !== 'ai').slice(0, 10)) {
      const raw = fs.readFileSync(path.join(dir, img.relPath))
      expect(raw.includes(Buffer.from('parameters\0', 'latin1'))).toBe(false)
    }
  })

  it('reports progress once per file, ending at the total', () => {
    expect(progress).toHaveLength(OPTS.count)
    expect(progress.at(-1)).toEqual([OPTS.count, OPTS.count])
    expect(progress.map(([d]) => d)).toEqual(Array.from({ length: OPTS.count }, (_, i) => i + 1))
  })

  it('is deterministic for a seed, whatever the concurrency, and varies with it', async () => {
    const again = tmp()
    const second = await generateSyntheticLibrary(again, { ...OPTS, formats: [...OPTS.formats], concurrency: 3 })
    expect(second).toEqual(images)
    for (const img of images) {
      const a = fs.readFileSync(path.join(dir, img.relPath))
      const b = fs.readFileSync(path.join(again, img.relPath))
      expect(a.equals(b), img.relPath).toBe(true)
    }
    const other = await generateSyntheticLibrary(tmp(), { ...OPTS, formats: [...OPTS.formats], count: 8, seed: OPTS.seed + 1 })
    const names = new Set(images.map((img) => img.relPath))
    expect(other.filter((img) => names.has(img.relPath)).length).toBeLessThan(other.length)
  }, 10_000)

  it('honours flat, format, text and metadata switches', async () => {
    const out = tmp()
    const flat = await generateSyntheticLibrary(out, { count: 12, seed: 5, minSide: 48, maxSide: 96, formats: ['webp'], subfolders: false, text: false, aiMetadata: false })
    expect(flat).toHaveLength(12)
    for (const img of flat) {
      expect(img.relPath).not.toContain('/')
      expect(img.format).toBe('webp')
      expect(img.text).toBeUndefined()
      expect(img.ai).toBeUndefined()
      expect(img.kind).not.toBe('pixiv-master') // its forms are JPEG-only
    }
    expect(fs.readdirSync(out).sort()).toEqual(flat.map((img) => img.relPath).sort())
  })

  it('handles the edges', async () => {
    expect(await generateSyntheticLibrary(tmp(), { count: 0 })).toEqual([])
    await expect(generateSyntheticLibrary(tmp(), { count: -1 })).rejects.toThrow(RangeError)
    await expect(generateSyntheticLibrary(tmp(), { count: 1, minSide: 500, maxSide: 400 })).rejects.toThrow(RangeError)
    await expect(generateSyntheticLibrary(tmp(), { count: 1, formats: [] })).rejects.toThrow(RangeError)
    const one = await generateSyntheticLibrary(tmp(), { count: 1, minSide: 32, maxSide: 32 })
    expect([one[0]!.width, one[0]!.height]).toEqual([32, 32])
  })
})
