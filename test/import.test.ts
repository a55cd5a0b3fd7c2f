import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeEach, describe, expect, it } from 'vitest'
import type { ErrorRecord, ImportCounts, SearchPage } from '../shared/types/api'
import { writeExifUserComment } from '../workers/ai-metadata/exif-user-comment'
import { insertJpegExif } from '../workers/ai-metadata/jpeg-segments'
import { writePngTextChunks } from '../workers/ai-metadata/png-chunks'
import { thumbnailPath } from '../workers/stages/thumbnail.stage'
import { runCli, runCliJson } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'

let dir: string
let lib: string
let config: string

async function importJson(...args: string[]) {
  const { code, body, stderr } = await runCliJson<ImportCounts>(['--config', config, 'import', ...args])
  expect(code, stderr).toBe(0)
  return body
}

async function searchJson(query?: string) {
  const { body } = await runCliJson<SearchPage>(['--config', config, 'search', '--limit', '500', ...(query ? ['--query', query] : [])])
  return body
}

async function errorsJson() {
  const { body } = await runCliJson<{ total: number; errors: ErrorRecord[] }>(['--config', config, 'errors'])
  return body.errors
}

beforeEach(() => {
  dir = tempDir()
  lib = join(dir, 'lib')
  mkdirSync(lib)
  config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' })
})

describe('sagasu import', () => {
  it('indexes every form of file name with its parsed source fields, then changes nothing on a second run', async () => {
    await writeImage(join(lib, '12345_98765432_p0.png'), { color: colorOf(1) })
    await writeImage(join(lib, '12345_98765432_p1.png'), { color: colorOf(2) })
    await writeImage(join(lib, 'a/b/98765433_p0_master1200.jpg'), { color: colorOf(3), format: 'jpeg' })
    await writeImage(join(lib, 'a/twitter_しずく(@shizuku_art)_20230514-213045_1657890123456789012_photo.png'), { color: colorOf(4) })
    await writeImage(join(lib, 'yande.re 4242 long_hair st._louis_(azur_lane).webp'), { color: colorOf(5), format: 'webp' })
    await writeImage(join(lib, 'UPPER.PNG'), { color: colorOf(6), width: 100, height: 30 })
    writeFileSync(join(lib, 'notes.txt'), 'not an image')

    expect(await importJson()).toEqual({ scanned: 6, added: 6, updated: 0, moved: 0, removed: 0, unchanged: 0, errors: 0 })
    expect(await importJson()).toEqual({ scanned: 6, added: 0, updated: 0, moved: 0, removed: 0, unchanged: 6, errors: 0 })

    const pixiv = await searchJson('type;="pixiv"')
    expect(pixiv.total).toBe(3)
    expect(pixiv.results.find((r) => r.path === '12345_98765432_p1.png')).toMatchObject({ userid: '12345', illustid: '98765432', page: 1, width: 64, height: 48, format: 'png' })
    const twitter = (await searchJson('type;=twitter')).results[0]!
    expect(twitter).toMatchObject({ username: 'しずく', userid: 'shizuku_art', tweetid: '1657890123456789012', date: Date.UTC(2023, 4, 14, 21, 30, 45) })
    const yandere = (await searchJson('type;=yandere')).results[0]!
    expect(yandere).toMatchObject({ postid: '4242', tags1: ['long_hair', 'st._louis_(azur_lane)'], format: 'webp' })
    expect((await searchJson('width;>=100')).results.map((r) => r.filename)).toEqual(['UPPER.PNG'])
  })

  it('reads AI-generation parameters from PNG text chunks and JPEG EXIF', async () => {
    const parameters = '1girl, 雨の街, umbrella\nNegative prompt: lowres, bad hands\nSteps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234567890, Size: 512x768, Model: animagineXL_v3'
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#abcdef' } }).png().toBuffer()
    writeFileSync(join(lib, '00042-1234567890.png'), writePngTextChunks(png, { parameters }))
    const jpeg = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#fedcba' } }).jpeg().toBuffer()
    writeFileSync(join(lib, 'exif.jpg'), insertJpegExif(jpeg, writeExifUserComment(parameters.replace('28', '30'), { exifHeader: true })))
    const comfy = JSON.stringify({
      3: { class_type: 'KSampler', inputs: { seed: 7, steps: 20, cfg: 6.5, sampler_name: 'euler', scheduler: 'normal', model: ['4', 0], positive: ['6', 0], negative: ['7', 0] } },
      4: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sdxl.safetensors' } },
      6: { class_type: 'CLIPTextEncode', inputs: { text: 'a red fox', clip: ['4', 1] } },
      7: { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
    })
    writeFileSync(join(lib, 'ComfyUI_00001_.png'), writePngTextChunks(png, { prompt: comfy }))
    expect(await importJson()).toMatchObject({ added: 3, errors: 0 })

    const byName = new Map((await searchJson()).results.map((r) => [r.filename, r]))
    expect(byName.get('00042-1234567890.png')?.ai).toMatchObject({ source: 'a1111', prompt: '1girl, 雨の街, umbrella', negativePrompt: 'lowres, bad hands', steps: 28, cfg: 7, seed: 1234567890, sampler: 'DPM++ 2M Karras', model: 'animagineXL_v3' })
    expect(byName.get('exif.jpg')?.ai).toMatchObject({ source: 'a1111', steps: 30, prompt: '1girl, 雨の街, umbrella' })
    expect(byName.get('ComfyUI_00001_.png')?.ai).toMatchObject({ source: 'comfyui', prompt: 'a red fox', negativePrompt: 'blurry', seed: 7, steps: 20, cfg: 6.5, model: 'sdxl.safetensors' })
    const { body: stats } = await runCliJson<{ withAiParameters: number }>(['--config', config, 'stats'])
    expect(stats.withAiParameters).toBe(3)
  })

  it('keeps the record of a renamed or moved file (within and across folders) and removes deleted ones', async () => {
    const other = join(dir, 'other')
    config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }, { name: 'other', path: './other' }], dataDir: './data' })
    await writeImage(join(lib, 'keep.png'), { color: colorOf(1) })
    await writeImage(join(lib, 'rename-me.png'), { color: colorOf(2) })
    await writeImage(join(lib, 'move-me.png'), { color: colorOf(3) })
    await writeImage(join(lib, 'delete-me.png'), { color: colorOf(4) })
    await writeImage(join(other, 'x.png'), { color: colorOf(5) })
    await importJson()
    const before = new Map((await searchJson()).results.map((r) => [r.filename, r]))

    renameSync(join(lib, 'rename-me.png'), join(lib, '11_22_p3.png'))
    mkdirSync(join(other, 'deep'))
    renameSync(join(lib, 'move-me.png'), join(other, 'deep', 'moved.png'))
    unlinkSync(join(lib, 'delete-me.png'))
    expect(await importJson()).toEqual({ scanned: 4, added: 0, updated: 0, moved: 2, removed: 1, unchanged: 2, errors: 0 })

    const after = new Map((await searchJson()).results.map((r) => [r.filename, r]))
    expect(after.get('11_22_p3.png')).toMatchObject({ id: before.get('rename-me.png')!.id, type: 'pixiv', illustid: '22', page: 3, addedAt: before.get('rename-me.png')!.addedAt })
    expect(after.get('moved.png')).toMatchObject({ id: before.get('move-me.png')!.id, folder: 'other', path: 'deep/moved.png' })
    expect(after.has('delete-me.png')).toBe(false)
    expect(after.size).toBe(4)
  })

  it('re-indexes a file whose content changed and only touches one whose mtime alone changed', async () => {
    const file = join(lib, 'changing.png')
    await writeImage(file, { color: colorOf(1), width: 64 })
    await importJson()
    const [original] = (await searchJson()).results
    utimesSync(file, new Date(), new Date(Date.now() + 5000))
    expect(await importJson()).toMatchObject({ updated: 0, unchanged: 1 })
    await writeImage(file, { color: colorOf(2), width: 80 })
    utimesSync(file, new Date(), new Date(Date.now() + 10_000))
    expect(await importJson()).toMatchObject({ updated: 1, unchanged: 0 })
    const [changed] = (await searchJson()).results
    expect(changed).toMatchObject({ id: original!.id, width: 80 })
    expect(changed!.hash).not.toBe(original!.hash)
    // The old content's thumbnail is gone, the new one is there.
    expect(existsSync(thumbnailPath(join(dir, 'data'), original!.hash))).toBe(false)
    expect(existsSync(thumbnailPath(join(dir, 'data'), changed!.hash))).toBe(true)
  })

  it('turns every kind of bad file into an error record, keeps going, and loses nothing indexed', async () => {
    await writeImage(join(lib, 'good.png'), { color: colorOf(1) })
    await importJson()
    const good = (await searchJson()).results[0]!

    writeFileSync(join(lib, 'empty.png'), '')
    const jpeg = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#123456' } }).jpeg().toBuffer()
    writeFileSync(join(lib, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)))
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#654321' } }).png({ compressionLevel: 0 }).toBuffer()
    writeFileSync(join(lib, 'truncated.png'), png.subarray(0, Math.floor(png.length / 2)))
    await writeImage(join(lib, 'really-a-png.jpg'), { color: colorOf(2) })
    writeFileSync(join(lib, 'text.webp'), 'this is not an image at all')
    writeFileSync(Buffer.from(`${lib}/bad-\xff\xfe-name.png`, 'latin1'), await writeImage(join(dir, 'scratch.png'), { color: colorOf(3) }))
    const longName = `${'長'.repeat(80)}.png` // 240 bytes of UTF-8, near the 255-byte limit
    await writeImage(join(lib, longName), { color: colorOf(4) })
    mkdirSync(join(lib, 'loop'))
    symlinkSync('..', join(lib, 'loop', 'back'))
    symlinkSync(join(dir, 'nowhere.png'), join(lib, 'dangling.png'))

    const counts = await importJson()
    expect(counts).toMatchObject({ added: 2, removed: 0 })
    expect(counts.errors).toBe(7)

    const errors = await errorsJson()
    const reasonOf = (path: string) => errors.find((e) => e.path === path)
    expect(reasonOf('empty.png')).toMatchObject({ stage: 'read', level: 'error', reason: expect.stringContaining('empty') })
    expect(reasonOf('truncated.jpg')).toMatchObject({ level: 'error', reason: expect.stringMatching(/decode|premature|truncat/i) })
    expect(reasonOf('truncated.png')).toMatchObject({ level: 'error' })
    expect(reasonOf('text.webp')).toMatchObject({ stage: 'probe', level: 'error' })
    expect(reasonOf('really-a-png.jpg')).toMatchObject({ level: 'warning', reason: expect.stringContaining('PNG but named .jpg') })
    expect(errors.find((e) => e.path.startsWith('bad-'))).toMatchObject({ stage: 'scan', reason: expect.stringContaining('UTF-8') })
    expect(reasonOf('loop/back')).toMatchObject({ stage: 'scan', reason: expect.stringContaining('loop') })
    expect(reasonOf('dangling.png')).toMatchObject({ stage: 'scan', reason: expect.stringContaining('not found') })

    const results = (await searchJson()).results
    expect(results.map((r) => r.filename).sort()).toEqual([longName, 'good.png', 'really-a-png.jpg'].sort())
    expect(results.find((r) => r.id === good.id)).toMatchObject({ hash: good.hash })
    expect(results.find((r) => r.filename === 'really-a-png.jpg')).toMatchObject({ format: 'png', ext: 'jpg' })

    // Known failures are not re-read on every run, and the run stays idempotent.
    expect(await importJson()).toMatchObject({ added: 0, updated: 0, removed: 0, errors: 7 })
  })

  it('retries failed files with --retry-errors and clears errors of files that were fixed or deleted', async () => {
    writeFileSync(join(lib, 'later.png'), '')
    writeFileSync(join(lib, 'gone.png'), 'garbage')
    expect(await importJson()).toMatchObject({ added: 0, errors: 2 })
    await writeImage(join(lib, 'later.png'), { color: colorOf(1) })
    // Same size and mtime as when it failed would be skipped; a real fix changes them, --retry-errors forces it.
    expect(await importJson('--retry-errors')).toMatchObject({ added: 1, errors: 1 })
    unlinkSync(join(lib, 'gone.png'))
    await importJson()
    expect(await errorsJson()).toEqual([])
  })

  it('keeps the images of a folder that disappears or cannot be read, and says so', async () => {
    await writeImage(join(lib, 'sub/one.png'), { color: colorOf(1) })
    await writeImage(join(lib, 'two.png'), { color: colorOf(2) })
    await importJson()
    renameSync(lib, join(dir, 'unmounted'))
    const counts = await importJson()
    expect(counts).toMatchObject({ removed: 0, errors: 1 })
    expect((await searchJson()).total).toBe(2)
    expect((await errorsJson())[0]).toMatchObject({ path: '', stage: 'scan', reason: expect.stringContaining('cannot be read') })
    renameSync(join(dir, 'unmounted'), lib)
    expect(await importJson()).toMatchObject({ unchanged: 2, errors: 0 })
    expect(await errorsJson()).toEqual([])
  })

  it('records a file it may not read (permission denied) and goes on', async (context) => {
    await writeImage(join(lib, 'ok.png'), { color: colorOf(1) })
    await writeImage(join(lib, 'secret.png'), { color: colorOf(2) })
    chmodSync(join(lib, 'secret.png'), 0o000)
    // Root reads everything, so as root the CLI runs as an unprivileged user for this test.
    const asRoot = process.getuid?.() === 0
    if (asRoot) {
      chmodSync(dir, 0o777)
      for (const path of [lib, join(dir, 'sagasu.config.yaml')]) chmodSync(path, 0o777)
    }
    const command = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : undefined
    if (asRoot && (await runCli(['--version'], { command, env: { HOME: '/tmp' } })).code !== 0) {
      context.skip('setpriv cannot run the CLI as nobody here')
    }
    const { code, body, stderr } = await runCliJson<ImportCounts>(['--config', config, 'import'], { command, env: { HOME: '/tmp' } })
    expect(code, stderr).toBe(0)
    expect(body).toMatchObject({ added: 1, errors: 1 })
    const { body: errors } = await runCliJson<{ errors: ErrorRecord[] }>(['--config', config, 'errors'], { command, env: { HOME: '/tmp' } })
    expect(errors.errors[0]).toMatchObject({ path: 'secret.png', stage: 'read', reason: 'permission denied' })
  })

  it('follows links that stay inside the folder and reports links that lead out of it', async () => {
    const outside = join(dir, 'outside')
    await writeImage(join(outside, 'linked.png'), { color: colorOf(1) })
    await writeImage(join(lib, 'real/inside.png'), { color: colorOf(2) })
    symlinkSync(outside, join(lib, 'linked-folder'))
    symlinkSync(join(outside, 'linked.png'), join(lib, 'linked-file.png'))
    symlinkSync(join(lib, 'real/inside.png'), join(lib, 'alias.png'))
    expect(await importJson()).toMatchObject({ added: 2, errors: 2 })
    expect((await searchJson()).results.map((r) => r.path).sort()).toEqual(['alias.png', 'real/inside.png'])
    const errors = await errorsJson()
    expect(errors.map((e) => e.path).sort()).toEqual(['linked-file.png', 'linked-folder'])
    expect(errors[0]!.reason).toContain('leads outside the folder')
    rmSync(outside, { recursive: true })
  })

  it('drops the images of a folder removed from the configuration', async () => {
    const other = join(dir, 'other')
    await writeImage(join(lib, 'a.png'), { color: colorOf(1) })
    await writeImage(join(other, 'b.png'), { color: colorOf(2) })
    config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }, { name: 'other', path: './other' }], dataDir: './data' })
    expect(await importJson()).toMatchObject({ added: 2 })
    // Importing one folder by name leaves the other alone…
    expect(await importJson('lib')).toMatchObject({ removed: 0 })
    expect((await searchJson()).total).toBe(2)
    // …but a folder gone from the configuration leaves the index.
    config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' })
    expect(await importJson()).toMatchObject({ removed: 1 })
    expect((await searchJson()).results.map((r) => r.folder)).toEqual(['lib'])
  })
})

describe('CLI contract', () => {
  it('exits 2 with a message naming the bad key for an invalid config', async () => {
    writeFileSync(config, 'folders:\n  - name: lib\n    path: ./lib\n    recursiv: true\nserver:\n  port: "eighty"\n')
    const result = await runCliJson<{ error: { message: string } }>(['--config', config, 'stats'])
    expect(result.code).toBe(2)
    expect(result.body.error.message).toMatch(/folders\.0: unknown key "recursiv"/)
    expect(result.body.error.message).toMatch(/server\.port/)
  })

  it('exits 2 for a bad query and a bad option, printing one JSON document', async () => {
    await importJson()
    const badQuery = await runCliJson<{ error: { message: string; position: number; hint: string } }>(['--config', config, 'search', '--query', 'nosuchfield;=1'])
    expect(badQuery.code).toBe(2)
    expect(badQuery.body.error).toMatchObject({ position: 0, hint: expect.stringContaining('known fields') })
    const badLimit = await runCliJson<{ error: { message: string } }>(['--config', config, 'search', '--limit', '9000'])
    expect(badLimit.code).toBe(2)
    expect(badLimit.body.error.message).toContain('--limit')
    const unknownFolder = await runCliJson<{ error: { message: string } }>(['--config', config, 'import', 'nope'])
    expect(unknownFolder.code).toBe(2)
    expect(unknownFolder.body.error.message).toContain('not a configured folder')
  })

  it('takes --data-dir over the config and prints stats as JSON', async () => {
    await writeImage(join(lib, 'one.png'))
    const dataDir = join(dir, 'elsewhere')
    const { code } = await runCliJson<ImportCounts>(['--config', config, '--data-dir', dataDir, 'import'])
    expect(code).toBe(0)
    const { body } = await runCliJson<{ images: number; byType: Record<string, number> }>(['--config', config, '--data-dir', dataDir, 'stats'])
    expect(body).toMatchObject({ images: 1, byType: { other: 1 } })
    const { body: empty } = await runCliJson<{ images: number }>(['--config', config, 'stats'])
    expect(empty.images).toBe(0)
  })
})
