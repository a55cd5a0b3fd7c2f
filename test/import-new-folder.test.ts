/**
 * `sagasu import PATH` for a folder that is not configured: added to the configuration file (its
 * comments and layout kept, the file created when missing) and imported; `--no-save` imports it for
 * this run only; bad paths are refused before anything changes; racing imports both land.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../config/load-config'
import type { ImportCounts, JobsReport, SearchPage } from '../shared/types/api'
import { runCli, runCliJson } from './helpers/cli'
import { colorOf, tempDir, writeImage } from './helpers/library'
import { eventually, startServer } from './helpers/server'

type NewFolderImport = ImportCounts & { newFolders?: Array<{ name: string; path: string; saved: boolean }> }

/** A config file as a person writes one: comments, blank lines, a key order of their own. */
const HANDWRITTEN = `# My Sagasu settings
dataDir: ./data # the index lives here

# Folders I collect into
folders:
  - name: pics
    path: ./pics # the old drive

thresholds:
  general: 0.4 # stricter than the default
`

async function setUp(): Promise<{ dir: string; file: string }> {
  const dir = tempDir('sagasu-import-new-')
  await writeImage(join(dir, 'pics/old.png'), { color: colorOf(1) })
  const file = join(dir, 'sagasu.config.yaml')
  writeFileSync(file, HANDWRITTEN)
  return { dir, file }
}

async function filenames(file: string): Promise<string[]> {
  const { body } = await runCliJson<SearchPage>(['--config', file, 'search', '--limit', '500'])
  return body.results.map((image) => `${image.folder}/${image.path}`).sort()
}

describe('sagasu import PATH for a folder not configured yet', () => {
  it('adds it to the configuration file, keeping the comments and layout, and imports it', async () => {
    const { dir, file } = await setUp()
    await writeImage(join(dir, 'new stuff/a.png'), { color: colorOf(2) })
    await writeImage(join(dir, 'new stuff/sub/b.png'), { color: colorOf(3) })
    const { code, body, stderr } = await runCliJson<NewFolderImport>(['--config', file, 'import', join(dir, 'new stuff')])
    expect(code, stderr).toBe(0)
    expect(body).toMatchObject({ added: 2, newFolders: [{ name: 'new-stuff', path: join(dir, 'new stuff'), saved: true }] })
    expect(stderr).toContain(`added "new-stuff" (${join(dir, 'new stuff')}) to ${file}`)
    const text = readFileSync(file, 'utf8')
    // Everything the person wrote is still there, as written; the new entry follows the old one.
    expect(text.startsWith(HANDWRITTEN.split('\nthresholds:')[0]!.trimEnd())).toBe(true)
    for (const line of HANDWRITTEN.split('\n')) expect(text).toContain(line)
    expect(loadConfig({ file }).config.folders.map(({ name, path }) => ({ name, path }))).toEqual([
      { name: 'pics', path: join(dir, 'pics') },
      { name: 'new-stuff', path: join(dir, 'new stuff') },
    ])
    expect(await filenames(file)).toEqual(['new-stuff/a.png', 'new-stuff/sub/b.png'])
    // Configured now: a plain import keeps it and imports the old folder too.
    const again = await runCliJson<NewFolderImport>(['--config', file, 'import'])
    expect(again.body).toMatchObject({ added: 1, unchanged: 2, removed: 0 })
    expect(again.body.newFolders).toBeUndefined()
  })

  it('derives a unique name, takes --name, and refuses a --name that is not valid', async () => {
    const { dir, file } = await setUp()
    // Same folder name as the configured "pics".
    await writeImage(join(dir, 'other/pics/c.png'), { color: colorOf(4) })
    const derived = await runCliJson<NewFolderImport>(['--config', file, 'import', join(dir, 'other/pics')])
    expect(derived.code, derived.stderr).toBe(0)
    expect(derived.body.newFolders).toEqual([{ name: 'pics-2', path: join(dir, 'other/pics'), saved: true }])

    await writeImage(join(dir, 'third/d.png'), { color: colorOf(5) })
    const before = readFileSync(file, 'utf8')
    const bad = await runCli(['--config', file, 'import', join(dir, 'third'), '--name', 'no spaces please'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--name "no spaces please"')
    expect(readFileSync(file, 'utf8')).toBe(before)
    const taken = await runCli(['--config', file, 'import', join(dir, 'third'), '--name', 'pics'])
    expect(taken.code).toBe(2)
    expect(taken.stderr).toContain('a configured folder has that name')

    const chosen = await runCliJson<NewFolderImport>(['--config', file, 'import', join(dir, 'third'), '--name', 'Third_One'])
    expect(chosen.code, chosen.stderr).toBe(0)
    expect(chosen.body.newFolders).toEqual([{ name: 'Third_One', path: join(dir, 'third'), saved: true }])
    expect(loadConfig({ file }).config.folders.map(({ name }) => name)).toEqual(['pics', 'pics-2', 'Third_One'])
  })

  it('quotes in the file what YAML needs quoted: the path reads back exactly', async () => {
    const { dir, file } = await setUp()
    const odd = join(dir, `- odd: #1 'it''s' "x" [y] {z} & *a !b %c @d`)
    await writeImage(join(odd, 'e.png'), { color: colorOf(6) })
    const { code, body, stderr } = await runCliJson<NewFolderImport>(['--config', file, 'import', odd])
    expect(code, stderr).toBe(0)
    expect(body.added).toBe(1)
    const folders = (parse(readFileSync(file, 'utf8')) as { folders: Array<{ name: string; path: string }> }).folders
    expect(folders.at(-1)).toEqual({ name: 'odd-1-it-s-x-y-z-a-b-c-d', path: odd, recursive: true })
    expect(await filenames(file)).toEqual(['odd-1-it-s-x-y-z-a-b-c-d/e.png'])
  })

  it('creates the configuration file when there is none', async () => {
    const dir = tempDir('sagasu-import-new-')
    await writeImage(join(dir, 'art/f.png'), { color: colorOf(7) })
    const file = join(dir, 'fresh.yaml')
    const { code, body, stderr } = await runCliJson<NewFolderImport>(['--config', file, 'import', join(dir, 'art')])
    expect(code, stderr).toBe(0)
    expect(body.added).toBe(1)
    expect(parse(readFileSync(file, 'utf8'))).toEqual({ folders: [{ name: 'art', path: join(dir, 'art'), recursive: true }] })
    // The index went where the new file says by default: next to it.
    expect(existsSync(join(dir, '.sagasu'))).toBe(true)
    expect(await filenames(file)).toEqual(['art/f.png'])
  })

  it('--no-save imports it for this run only; a later plain import keeps its images', async () => {
    const { dir, file } = await setUp()
    await writeImage(join(dir, 'visiting/g.png'), { color: colorOf(8) })
    const { code, body, stderr } = await runCliJson<NewFolderImport>(['--config', file, 'import', '--no-save', join(dir, 'visiting')])
    expect(code, stderr).toBe(0)
    expect(body).toMatchObject({ added: 1, newFolders: [{ name: 'visiting', saved: false }] })
    expect(readFileSync(file, 'utf8')).toBe(HANDWRITTEN)
    const plain = await runCliJson<NewFolderImport>(['--config', file, 'import'])
    expect(plain.body).toMatchObject({ added: 1, removed: 0 })
    expect(await filenames(file)).toEqual(['pics/old.png', 'visiting/g.png'])
    // Imported again without saving, it keeps its name and its records (no "visiting-2").
    await writeImage(join(dir, 'visiting/h.png'), { color: colorOf(9) })
    const again = await runCliJson<NewFolderImport>(['--config', file, 'import', '--no-save', join(dir, 'visiting')])
    expect(again.body).toMatchObject({ added: 1, unchanged: 1, removed: 0, newFolders: [{ name: 'visiting', saved: false }] })
    // Another folder of the same name must not take that name: its import would sweep the first one's images.
    await writeImage(join(dir, 'elsewhere/visiting/i.png'), { color: colorOf(10) })
    const other = await runCliJson<NewFolderImport>(['--config', file, 'import', '--no-save', join(dir, 'elsewhere/visiting')])
    expect(other.body).toMatchObject({ added: 1, removed: 0, newFolders: [{ name: 'visiting-2', saved: false }] })
    expect(await filenames(file)).toEqual(['pics/old.png', 'visiting-2/i.png', 'visiting/g.png', 'visiting/h.png'])
  })

  it('refuses a path that does not exist, a file, or a folder inside a configured one: exit 2, nothing changed', async () => {
    const { dir, file } = await setUp()
    await writeImage(join(dir, 'pics/inner/j.png'), { color: colorOf(11) })
    await writeImage(join(dir, 'loose.png'), { color: colorOf(12) })
    for (const [path, message] of [
      [join(dir, 'nowhere'), `${join(dir, 'nowhere')} does not exist`],
      [join(dir, 'loose.png'), `${join(dir, 'loose.png')} is not a folder`],
      [join(dir, 'pics/inner'), `${join(dir, 'pics/inner')} lies inside the configured folder "pics"`],
      [dir, `${dir} contains the configured folder "pics"`],
    ] as const) {
      const { code, body } = await runCliJson<{ error: { message: string } }>(['--config', file, 'import', path])
      expect(code, path).toBe(2)
      expect(body.error.message).toContain(message)
      expect(readFileSync(file, 'utf8')).toBe(HANDWRITTEN)
      expect(existsSync(join(dir, 'data'))).toBe(false)
    }
  })

  it('refuses a configuration file it cannot read, and leaves it as it was', async () => {
    const { dir, file } = await setUp()
    const broken = `${HANDWRITTEN}folders: [oops\n`
    writeFileSync(file, broken)
    await writeImage(join(dir, 'new/k.png'), { color: colorOf(13) })
    const { code, stderr } = await runCli(['--config', file, 'import', join(dir, 'new')])
    expect(code).toBe(2)
    expect(stderr).toContain(file)
    expect(readFileSync(file, 'utf8')).toBe(broken)
  })

  it('two imports of new folders at once: the file gets both, whole, and both are imported', async () => {
    const { dir, file } = await setUp()
    mkdirSync(join(dir, 'data'), { recursive: true })
    for (let i = 0; i < 20; i++) {
      await writeImage(join(dir, `one/${i}.png`), { color: colorOf(100 + i) })
      await writeImage(join(dir, `two/${i}.png`), { color: colorOf(200 + i) })
    }
    const [one, two] = await Promise.all([
      runCliJson<NewFolderImport>(['--config', file, 'import', join(dir, 'one')]),
      runCliJson<NewFolderImport>(['--config', file, 'import', join(dir, 'two')]),
    ])
    expect([one.code, two.code], `${one.stderr}\n${two.stderr}`).toEqual([0, 0])
    expect([one.body.added, two.body.added]).toEqual([20, 20])
    for (const line of HANDWRITTEN.split('\n')) expect(readFileSync(file, 'utf8')).toContain(line)
    expect(loadConfig({ file }).config.folders.map(({ name }) => name).sort()).toEqual(['one', 'pics', 'two'])
    expect((await filenames(file)).length).toBe(40)
    expect(existsSync(`${file}.lock`)).toBe(false)
    expect(existsSync(join(dir, 'data/import.lock'))).toBe(false)
  })
})

describe('sagasu import PATH while sagasu serve runs on the same configuration', () => {
  it('the server\'s next full import keeps the new folder\'s images (it is in the file, though not in the server\'s configuration)', async () => {
    const { dir, file } = await setUp()
    const server = await startServer(['--config', file], { env: { SAGASU_MODELS: 'none' } })
    try {
      await writeImage(join(dir, 'later/l.png'), { color: colorOf(14) })
      const { code, body, stderr } = await runCliJson<NewFolderImport>(['--config', file, 'import', join(dir, 'later')])
      expect(code, stderr).toBe(0)
      expect(body.added).toBe(1)
      const jobs = async () => (await (await fetch(`${server.url}/api/jobs`)).json()) as JobsReport
      const before = (await jobs()).import?.finishedAt ?? 0
      expect((await fetch(`${server.url}/api/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(202)
      const run = await eventually(async () => {
        const current = (await jobs()).import
        return current && !current.running && (current.finishedAt ?? 0) > before ? current : undefined
      }, 120_000, 'the server\'s import')
      expect(run.counts).toMatchObject({ removed: 0 })
      expect(server.output()).not.toContain('no longer configured')
      expect(await filenames(file)).toEqual(['later/l.png', 'pics/old.png'])
    } finally {
      await server.stop()
    }
  })
})
