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

const SD_METADATA = { repo: 'enslo/sd-metadata', commit: '0270638ac6d09b2f4a53363b97fc3114f6eb0c88' }
const SD_PARSERS = { repo: 'd3x-at/sd-parsers', commit: '0949676c24a5bbaf26ef0aa8c362132b7b27cb5b' }
const COMFYUI_EXAMPLES = { repo: 'comfyanonymous/ComfyUI_examples', commit: 'f9431bb000ce792094ff345446e22cac1ea6cef3' }

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

await makeComfyUi()
