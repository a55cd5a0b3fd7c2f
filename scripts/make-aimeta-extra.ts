// Writes the derived files of test/fixtures/aimeta-extra/<set>/files/ from the fetched mirrors of
// their source repositories (the originals are too large to commit):
//   node bin/run-ts.mjs scripts/make-aimeta-extra.ts [--mirrors /work/.mirror]
// Each set has its own section; provenance and licences are in each set's README.md.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import sharp from 'sharp'

const ROOT = join(import.meta.dirname, '..')
const { values } = parseArgs({ options: { mirrors: { type: 'string', default: '/work/.mirror' } } })

/** One file of a fetched mirror (a bare git directory), at the pinned commit. */
function mirrorFile(repo: string, commit: string, path: string): Buffer {
  const gitDir = join(values.mirrors, repo.replace('/', '+'), 'repo')
  return execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${path}`], { maxBuffer: 64 * 1024 * 1024 })
}

// The source repositories, at the commits the sets' READMEs name.
const SD_METADATA = { repo: 'enslo/sd-metadata', commit: '0270638ac6d09b2f4a53363b97fc3114f6eb0c88' }
const SD_PARSERS = { repo: 'd3x-at/sd-parsers', commit: '0949676c24a5bbaf26ef0aa8c362132b7b27cb5b' }
const COMFYUI_EXAMPLES = { repo: 'comfyanonymous/ComfyUI_examples', commit: 'f9431bb000ce792094ff345446e22cac1ea6cef3' }

// --- stealth: NovelAI's alpha-channel copy of its metadata, without any text chunk ---------------

// Signature (15 bytes) and length field (32 bits) come before the payload.
const STEALTH_HEADER_BITS = (15 + 4) * 8
const STEALTH_SIDE = 128

/**
 * Moves the alpha low-bit stream (pixels walked column by column, as NovelAI and A1111's
 * stealth_pnginfo write it) bit for bit from the source image onto a STEALTH_SIDE-square copy of
 * it, scaled down and with no text chunk. The stream is copied, never decoded: its length field
 * is only read to know how many bits to move.
 */
async function stealthCopy(source: Buffer): Promise<Buffer> {
  const { data, info } = await sharp(source).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  const sourceBit = (i: number): number => {
    const x = Math.floor(i / info.height)
    const y = i % info.height
    return data[(y * info.width + x) * info.channels + 3]! & 1
  }
  let length = 0
  for (let i = 15 * 8; i < STEALTH_HEADER_BITS; i++) length = length * 2 + sourceBit(i)
  const bits = STEALTH_HEADER_BITS + length
  if (bits > STEALTH_SIDE * STEALTH_SIDE) throw new Error(`the stream (${bits} bits) does not fit a ${STEALTH_SIDE}px square`)
  const small = await sharp(source).resize(STEALTH_SIDE, STEALTH_SIDE, { fit: 'fill' }).ensureAlpha().raw().toBuffer()
  for (let i = 0; i < STEALTH_SIDE * STEALTH_SIDE; i++) {
    const x = Math.floor(i / STEALTH_SIDE)
    const y = i % STEALTH_SIDE
    // Opaque everywhere; past the stream the low bit is 1, as an untouched opaque alpha is.
    small[(y * STEALTH_SIDE + x) * 4 + 3] = 0xfe | (i < bits ? sourceBit(i) : 1)
  }
  return sharp(small, { raw: { width: STEALTH_SIDE, height: STEALTH_SIDE, channels: 4 } }).png({ compressionLevel: 9 }).toBuffer()
}

async function makeStealth(): Promise<void> {
  const dir = join(ROOT, 'test/fixtures/aimeta-extra/stealth/files')
  mkdirSync(dir, { recursive: true })
  for (const name of ['novelai-full-3char', 'novelai-ref']) {
    const source = mirrorFile(SD_METADATA.repo, SD_METADATA.commit, `samples/png/${name}.png`)
    writeFileSync(join(dir, `${name}_stealth_only.png`), await stealthCopy(source))
  }
}


// --- generators: the metadata of real files moved byte for byte onto a tiny image ----------------

const TINY = (): sharp.Sharp => sharp({ create: { width: 16, height: 16, channels: 3, background: '#8ab' } })

/** PNG chunks (length, type, data and CRC as they are) of the kinds that carry metadata. */
function pngMetadataChunks(png: Buffer): Buffer[] {
  const chunks: Buffer[] = []
  let offset = 8
  while (offset + 12 <= png.length) {
    const length = png.readUInt32BE(offset)
    const type = png.toString('latin1', offset + 4, offset + 8)
    const end = offset + 12 + length
    if (['tEXt', 'zTXt', 'iTXt', 'eXIf'].includes(type)) chunks.push(png.subarray(offset, end))
    if (type === 'IEND') break
    offset = end
  }
  return chunks
}

async function tinyPngWith(source: Buffer): Promise<Buffer> {
  const tiny = await TINY().png().toBuffer()
  // IHDR is always 25 bytes after the signature; the chunks go right after it, before IDAT.
  const at = 8 + 25
  return Buffer.concat([tiny.subarray(0, at), ...pngMetadataChunks(source), tiny.subarray(at)])
}

/** APP1 (EXIF, XMP) and COM segments of a JPEG, marker and length included, as they are. */
function jpegMetadataSegments(jpeg: Buffer): Buffer[] {
  const segments: Buffer[] = []
  let offset = 2
  while (offset + 4 <= jpeg.length && jpeg[offset] === 0xff) {
    const marker = jpeg[offset + 1]!
    if (marker === 0xda || marker === 0xd9) break
    const end = offset + 2 + jpeg.readUInt16BE(offset + 2)
    if (marker === 0xe1 || marker === 0xfe) segments.push(jpeg.subarray(offset, end))
    offset = end
  }
  return segments
}

async function tinyJpegWith(source: Buffer): Promise<Buffer> {
  const tiny = await TINY().jpeg().toBuffer()
  // After SOI and sharp's APP0 (JFIF) segment, where cameras and generators put APP1.
  const at = 2 + (tiny[3] === 0xe0 ? 2 + tiny.readUInt16BE(4) : 0)
  return Buffer.concat([tiny.subarray(0, at), ...jpegMetadataSegments(source), tiny.subarray(at)])
}

function riffChunk(fourcc: string, data: Buffer): Buffer {
  const header = Buffer.alloc(8)
  header.write(fourcc, 0, 'latin1')
  header.writeUInt32LE(data.length, 4)
  return Buffer.concat([header, data, Buffer.alloc(data.length & 1)])
}

async function tinyWebpWith(source: Buffer): Promise<Buffer> {
  const metadata: Buffer[] = []
  let flags = 0
  for (let offset = 12; offset + 8 <= source.length; ) {
    const fourcc = source.toString('latin1', offset, offset + 4)
    const size = source.readUInt32LE(offset + 4)
    const data = source.subarray(offset + 8, offset + 8 + size)
    if (fourcc === 'EXIF') (flags |= 0x08), metadata.push(riffChunk(fourcc, data))
    if (fourcc === 'XMP ') (flags |= 0x04), metadata.push(riffChunk(fourcc, data))
    offset += 8 + size + (size & 1)
  }
  const tiny = await TINY().webp({ lossless: true }).toBuffer()
  if (tiny.toString('latin1', 12, 16) !== 'VP8L') throw new Error('expected a simple lossless WebP from sharp')
  const bitstream = riffChunk('VP8L', tiny.subarray(20, 20 + tiny.readUInt32LE(16)))
  const vp8x = Buffer.alloc(10)
  vp8x[0] = flags
  vp8x.writeUIntLE(15, 4, 3)
  vp8x.writeUIntLE(15, 7, 3)
  const body = Buffer.concat([riffChunk('VP8X', vp8x), bitstream, ...metadata])
  const header = Buffer.alloc(12)
  header.write('RIFF', 0, 'latin1')
  header.writeUInt32LE(4 + body.length, 4)
  header.write('WEBP', 8, 'latin1')
  return Buffer.concat([header, body])
}

/** sd-metadata sample → file name in the set. */
const GENERATOR_SAMPLES: Record<string, string> = {
  'samples/png/ruined-fooocus.png': 'sdmeta_ruined-fooocus.png',
  'samples/png/tensorart.png': 'sdmeta_tensorart.png',
  'samples/png/swarmui.png': 'sdmeta_swarmui.png',
  'samples/jpg/swarmui.jpg': 'sdmeta_swarmui.jpg',
  'samples/png/comfyui-saveimage-plus.png': 'sdmeta_comfyui-saveimage-plus.png',
  'samples/jpg/comfyui-saveimage-plus.jpg': 'sdmeta_comfyui-saveimage-plus.jpg',
  'samples/webp/comfyui-saveimage-plus.webp': 'sdmeta_comfyui-saveimage-plus.webp',
  'samples/png/comfyui-comfy-image-saver.png': 'sdmeta_comfyui-comfy-image-saver.png',
  'samples/jpg/comfyui-comfy-image-saver.jpeg': 'sdmeta_comfyui-comfy-image-saver.jpeg',
  'samples/jpg/civitai.jpeg': 'sdmeta_civitai.jpeg',
  'samples/jpg/civitai-upscale.jpg': 'sdmeta_civitai-upscale.jpg',
  'samples/png/easy-reforge.png': 'sdmeta_easy-reforge.png',
  'samples/webp/novelai-full-3char.webp': 'sdmeta_novelai-full-3char.webp',
  'samples/png/huggingface-space.png': 'sdmeta_huggingface-space.png',
  'samples/png/invokeai.png': 'sdmeta_invokeai.png',
  'samples/png/stability-matrix.png': 'sdmeta_stability-matrix.png',
}

async function makeGenerators(): Promise<void> {
  const dir = join(ROOT, 'test/fixtures/aimeta-extra/generators/files')
  mkdirSync(dir, { recursive: true })
  for (const [path, name] of Object.entries(GENERATOR_SAMPLES)) {
    const source = mirrorFile(SD_METADATA.repo, SD_METADATA.commit, path)
    const out = name.endsWith('.png') ? await tinyPngWith(source) : name.endsWith('.webp') ? await tinyWebpWith(source) : await tinyJpegWith(source)
    await sharp(out).metadata() // the copy must still be a readable image
    writeFileSync(join(dir, name), out)
  }
}

// --- comfyui: ComfyUI graphs (prompt + workflow text chunks) on a tiny image -----------------------

const PNG_SIGNATURE_LENGTH = 8
const TEXT_CHUNKS = new Set(['tEXt', 'iTXt', 'zTXt'])

/** The text chunks of a PNG, each byte for byte (length, type, data, CRC), in file order. */
function pngTextChunks(png: Buffer): { keyword: string; bytes: Buffer }[] {
  const chunks: { keyword: string; bytes: Buffer }[] = []
  let at = PNG_SIGNATURE_LENGTH
  while (at + 12 <= png.length) {
    const length = png.readUInt32BE(at)
    const type = png.toString('latin1', at + 4, at + 8)
    const end = at + 12 + length
    if (end > png.length) throw new Error(`chunk ${type} at ${at} runs past the end`)
    if (TEXT_CHUNKS.has(type)) {
      const data = png.subarray(at + 8, at + 8 + length)
      const nul = data.indexOf(0)
      chunks.push({ keyword: data.toString('latin1', 0, nul < 0 ? data.length : nul), bytes: png.subarray(at, end) })
    }
    at = end
    if (type === 'IEND') break
  }
  return chunks
}

/**
 * A 32px-wide copy of `source`'s pixels carrying `source`'s text chunks, moved byte for byte (CRCs
 * included) and placed right after IHDR; `drop` names keywords left out (to make a workflow-only file).
 */
async function textOnTinyPng(source: Buffer, drop: readonly string[] = []): Promise<Buffer> {
  const tiny = await sharp(source).resize(32).png({ compressionLevel: 9 }).toBuffer()
  const ihdrEnd = PNG_SIGNATURE_LENGTH + 12 + tiny.readUInt32BE(PNG_SIGNATURE_LENGTH)
  const chunks = pngTextChunks(source).filter((chunk) => !drop.includes(chunk.keyword))
  return Buffer.concat([tiny.subarray(0, ihdrEnd), ...chunks.map((chunk) => chunk.bytes), tiny.subarray(ihdrEnd)])
}

async function makeComfyUi(): Promise<void> {
  const dir = join(ROOT, 'test/fixtures/aimeta-extra/comfyui/files')
  mkdirSync(dir, { recursive: true })
  // Save Image Plus and Comfy Image Saver are in the generators set (a saver's container or its
  // A1111 text against the graph is what they test).
  for (const name of ['comfyui-rgthree', 'comfyui-hires', 'comfyui-low-denoise', 'comfyui-upscale']) {
    const source = mirrorFile(SD_METADATA.repo, SD_METADATA.commit, `samples/png/${name}.png`)
    writeFileSync(join(dir, `sdmeta_${name}_text_only.png`), await textOnTinyPng(source))
    if (name === 'comfyui-hires' || name === 'comfyui-rgthree') writeFileSync(join(dir, `sdmeta_${name}_workflow_only.png`), await textOnTinyPng(source, ['prompt']))
  }
  // Small enough to commit as they are; the workflow-only copies keep the real pixels too.
  for (const name of ['unclip_2pass_cropped', 'night_evening_day_morning_cropped']) {
    const source = mirrorFile(SD_PARSERS.repo, SD_PARSERS.commit, `tests/resources/parsers/ComfyUI/${name}.png`)
    writeFileSync(join(dir, `sdparsers_${name}.png`), source)
    writeFileSync(join(dir, `sdparsers_${name}_workflow_only.png`), await textOnTinyPng(source, ['prompt']))
  }
  // GLIGEN boxes, an SDXL base + refiner split, a zeroed positive prompt (image-only conditioning).
  for (const path of ['gligen/gligen_textbox_example.png', 'sdxl/sdxl_refiner_prompt_example.png', 'sdxl/sdxl_revision_zero_positive.png']) {
    const source = mirrorFile(COMFYUI_EXAMPLES.repo, COMFYUI_EXAMPLES.commit, path)
    const name = `comfyex_${path.replace('/', '_').replace(/\.png$/, '')}`
    writeFileSync(join(dir, `${name}_text_only.png`), await textOnTinyPng(source))
    if (!path.includes('revision')) writeFileSync(join(dir, `${name}_workflow_only.png`), await textOnTinyPng(source, ['prompt']))
  }
}

await makeStealth()
await makeGenerators()
await makeComfyUi()
