import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ExportRow } from '../server/dataset/batch-export'
import type { BatchSetInfo } from '../shared/types/dataset'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import { runCli, runCliJson } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; records end in CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') {
        quoted = false
      } else {
        field += c
      }
    } else if (c === '"') {
      if (field !== '') throw new Error(`a quote inside an unquoted field at ${i}`)
      quoted = true
    } else if (c === ',') {
      record.push(field)
      field = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      i++
    } else if (c === '\n' || c === '\r') {
      throw new Error(`a bare line break at ${i}`)
    } else {
      field += c
    }
  }
  if (quoted) throw new Error('unterminated quoted field')
  if (field !== '' || record.length) throw new Error('the last record does not end in CRLF')
  return records
}

describe('sagasu batches and export-batches', () => {
  let dir: string
  let lib: string
  let base: string[]
  let info: BatchSetInfo
  const WEIRD = 'a,b "c"'

  beforeAll(async () => {
    dir = tempDir()
    lib = join(dir, 'lib')
    for (let i = 0; i < 11; i++) await writeImage(join(lib, i % 2 ? `x/${i} #1.png` : `${i}.png`), { color: colorOf(i), width: 20, height: 10 + i })
    await writeImage(join(lib, 'yande.re 77 blue_sky say"hi".png'), { color: colorOf(50), width: 20, height: 30 })
    const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' })
    base = ['--config', config]
    expect((await runCli([...base, 'import'])).code).toBe(0)
    const store = openSqliteStore(join(dir, 'data'))
    try {
      for (let id = 1; id <= 12; id++) {
        await store.setTags(id, [
          { name: 'long_hair', category: 'general', score: 0.9 },
          { name: WEIRD, category: 'general', score: 0.5 },
          { name: 'rating:general', category: 'rating', score: 0.7 },
        ])
      }
    } finally {
      await store.close()
    }
    const created = await runCliJson<BatchSetInfo>([...base, 'batches', 'create', '--batch-size', '3', '--validation', '20', '--test', '20', '--seed', '5'])
    expect(created.code, created.stderr).toBe(0)
    info = created.body
  })

  it('creates, lists and shows batch sets', async () => {
    expect(info).toMatchObject({ batch_size: 3, validation_split: 20, test_split: 20, seed: 5, q: '', total_images: 12 })
    expect((await runCliJson<{ ids: string[] }>([...base, 'batches', 'list'])).body.ids).toEqual([info.id])
    expect((await runCliJson<BatchSetInfo>([...base, 'batches', 'show', info.id])).body).toEqual(info)
    const plain = await runCli([...base, 'batches', 'show', info.id])
    expect(plain.stdout).toContain(`${info.train_images} images, ${info.train_batches} batches`)
  })

  it('exports JSON Lines: every image once, with split, batch number, file, URL and tags', async () => {
    const result = await runCli([...base, 'export-batches', info.id, '--format', 'jsonl', '--base-url', 'http://127.0.0.1:3000/'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain(`exported 12 images of batch set ${info.id}`)
    const rows = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as ExportRow)
    expect(rows.map((row) => row.image_id).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, k) => k + 1))
    for (const split of ['train', 'validation', 'test'] as const) {
      const mine = rows.filter((row) => row.split === split)
      expect(mine).toHaveLength(info[`${split}_images`])
      expect(mine.map((row) => row.position)).toEqual(mine.map((_row, k) => k))
      expect(mine.map((row) => row.batch)).toEqual(mine.map((_row, k) => Math.floor(k / 3)))
    }
    for (const row of rows) {
      expect(row).toMatchObject({ batch_set: info.id, folder: 'lib', rating: 'general', tags: ['long_hair', WEIRD], width: 20 })
      expect(existsSync(row.file)).toBe(true)
      expect(row.file).toBe(join(lib, ...row.path.split('/')))
      expect(row.url).toBe(`http://127.0.0.1:3000/files/lib/${row.path.split('/').map(encodeURIComponent).join('/')}`)
    }
    expect(rows.find((row) => row.path.startsWith('yande.re'))!.tags1).toEqual(['blue_sky', 'say"hi"'])
    // The same order as the API's batches: the CLI reads the stored snapshot.
    const only = await runCli([...base, 'export-batches', info.id, '--split', 'test'])
    expect(only.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as ExportRow).image_id)).toEqual(rows.filter((row) => row.split === 'test').map((row) => row.image_id))
  })

  it('exports valid CSV to a file, quoting tags with commas and quotes', async () => {
    const jsonl = (await runCli([...base, 'export-batches', info.id])).stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as ExportRow)
    const out = join(dir, 'batches.csv')
    const summary = await runCliJson<{ rows: number; missing: number; out: string }>([...base, 'export-batches', info.id, '--format', 'csv', '--out', out])
    expect(summary.body).toEqual({ id: info.id, format: 'csv', out, rows: 12, missing: 0 })
    expect(existsSync(`${out}.partial`)).toBe(false)
    const text = readFileSync(out, 'utf8')
    expect(text).toContain(',"long_hair a,b ""c""",')
    const [header, ...records] = parseCsv(text)
    expect(header).toEqual(['batch_set', 'split', 'batch', 'position', 'image_id', 'hash', 'folder', 'path', 'file', 'url', 'width', 'height', 'rating', 'tags', 'tags1'])
    expect(records).toEqual(jsonl.map((row) => header!.map((column) => {
      const value = row[column as keyof ExportRow]
      return Array.isArray(value) ? value.join(' ') : value === null ? '' : String(value)
    })))
    expect(records.find((record) => record[7]!.startsWith('yande.re'))![14]).toBe('blue_sky say"hi"')
  })

  it('skips members whose content is gone and reports how many', async () => {
    const created = await runCliJson<BatchSetInfo>([...base, 'batches', 'create', '--batch-size', '4', '--seed', 'gone'])
    rmSync(join(lib, '0.png'))
    expect((await runCli([...base, 'import'])).code).toBe(0)
    const out = join(dir, 'gone.jsonl')
    const summary = await runCliJson<{ rows: number; missing: number }>([...base, 'export-batches', created.body.id, '--out', out])
    expect(summary.body).toMatchObject({ rows: 11, missing: 1 })
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(11)
  })

  it('exits 2 with a message for an unknown or malformed id, bad options and bad batch parameters', async () => {
    for (const [args, message] of [
      [['export-batches', 'f'.repeat(32)], `no batch set with id "${'f'.repeat(32)}"`],
      [['export-batches', 'nope'], 'a batch set id is 32 hex digits'],
      [['export-batches', info.id, '--format', 'xml'], 'xml'],
      [['export-batches', info.id, '--split', 'dev'], '--split must be train, validation or test'],
      [['export-batches', info.id, '--json'], '--json prints a summary'],
      [['batches', 'show', 'f'.repeat(32)], 'no batch set with id'],
      [['batches', 'create'], '--batch-size'],
      [['batches', 'create', '--batch-size', '0'], '--batch-size must be a whole number from 1'],
      [['batches', 'create', '--batch-size', '2.5'], '--batch-size must be a whole number'],
      [['batches', 'create', '--batch-size', '4', '--validation', '-1'], '--validation must be a number from 0 to 100'],
      [['batches', 'create', '--batch-size', '4', '--validation', '60', '--test', '50'], 'at most 100'],
      [['batches', 'create', '--batch-size', '4', '-q', 'widht;>1'], 'widht'],
      [['batches', 'create', '--batch-size', '4', '-q', 'width;>5000'], 'matches no image'],
    ] as const) {
      const result = await runCli([...base, ...args])
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2)
      expect(result.stderr, args.join(' ')).toContain(message)
    }
    expect(existsSync(join(dir, 'nothing.csv'))).toBe(false)
  })
})
