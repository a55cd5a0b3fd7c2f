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

// --- stealth: NovelAI's alpha-channel copy of its metadata, without any text chunk ---------------

const SD_METADATA = { repo: 'enslo/sd-metadata', commit: '0270638ac6d09b2f4a53363b97fc3114f6eb0c88' }
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

await makeStealth()
