// Renders the OCR test images into test/fixtures/ocr/ with their expected text (truth.json).
// Usage: node bin/run-ts.mjs scripts/make-ocr-fixtures.ts [--out test/fixtures/ocr]
// Needs the CJK fonts of this machine (Debian/Ubuntu: apt-get install fonts-noto-cjk); the outputs
// are committed, so tests and CI do not need the fonts.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { crc32 } from '../workers/ai-metadata/crc32'
import { hasCjkFonts, renderTextImage, type TextImageSpec } from './ocr/text-image'

const { values } = parseArgs({ options: { out: { type: 'string', default: join(import.meta.dirname, '../test/fixtures/ocr') } } })
if (!(await hasCjkFonts())) {
  process.stderr.write('Noto Sans CJK JP/SC are not installed (apt-get install fonts-noto-cjk): CJK text would render as boxes\n')
  process.exit(1)
}

interface Fixture { file: string; language: 'eng' | 'jpn' | 'jpn_vert' | 'chi_sim'; spec: Omit<TextImageSpec, 'seed'>; format?: 'png' | 'jpeg' }

const FIXTURES: Fixture[] = [
  { file: 'eng.png', language: 'eng', spec: { script: 'latin', orientation: 'horizontal', lines: ['Hello Sagasu search', 'Meet me at the station'], fontSize: 28, background: 'white' } },
  { file: 'eng-small.png', language: 'eng', spec: { script: 'latin', orientation: 'horizontal', lines: ['Fresh bread every morning'], fontSize: 15, background: 'white' } },
  { file: 'jpn.png', language: 'jpn', spec: { script: 'jpn', orientation: 'horizontal', lines: ['東京の空は青いです', '夏祭りの夜に会いましょう'], fontSize: 32, background: 'white' } },
  { file: 'jpn-noise.jpg', language: 'jpn', format: 'jpeg', spec: { script: 'jpn', orientation: 'horizontal', lines: ['図書館は九時に開きます'], fontSize: 30, background: 'noise' } },
  { file: 'jpn-vert.png', language: 'jpn_vert', spec: { script: 'jpn', orientation: 'vertical', lines: ['桜の木の下で待っている', 'ありがとうございました'], fontSize: 32, background: 'white' } },
  { file: 'chi-sim.png', language: 'chi_sim', spec: { script: 'chi_sim', orientation: 'horizontal', lines: ['我们喜欢看动画片', '欢迎来到图书馆'], fontSize: 32, background: 'white' } },
  { file: 'chi-sim-colour.png', language: 'chi_sim', spec: { script: 'chi_sim', orientation: 'horizontal', lines: ['今天天气很好'], fontSize: 30, background: 'colour' } },
]

mkdirSync(values.out, { recursive: true })
const truth: Record<string, { language: string; text: string }> = {}
let seed = 1
for (const fixture of FIXTURES) {
  const png = await renderTextImage({ ...fixture.spec, seed: seed++ })
  const bytes = fixture.format === 'jpeg' ? await sharp(png).jpeg({ quality: 85 }).toBuffer() : await sharp(png).png({ compressionLevel: 9, palette: fixture.spec.background === 'white' }).toBuffer()
  writeFileSync(join(values.out, fixture.file), bytes)
  truth[fixture.file] = { language: fixture.language, text: fixture.spec.lines.join('\n') }
}
// A blank page: OCR must find no text.
writeFileSync(join(values.out, 'blank.png'), await sharp({ create: { width: 600, height: 300, channels: 3, background: '#ffffff' } }).png().toBuffer())
// A 20000×20000 PNG cut after its first row (a few dozen bytes): refusing it must not need the pixels.
writeFileSync(join(values.out, 'huge-20000.png'), pngFirstRowOnly(20_000, 20_000))
writeFileSync(join(values.out, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`)
process.stdout.write(`wrote ${FIXTURES.length + 2} images and truth.json to ${values.out}\n`)

function pngFirstRowOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 0, 0, 0, 0], 8) // 8-bit greyscale, deflate, no filter, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(width + 1))), chunk('IEND', Buffer.alloc(0))])
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body) >>> 0)
  return Buffer.concat([length, body, crc])
}
