import { describe, expect, it } from 'vitest'
import { configSchema } from '../config/schema'
import { StoreWriteError } from '../server/store/store-write-error'
import { trackUnsavedFiles, type WatchedFile } from './unsaved-files'

const folder = configSchema.parse({ folders: [{ name: 'lib', path: '/lib' }] }).folders[0]!
const entry = (path: string): readonly [string, WatchedFile] => [`lib\u0000${path}`, { folder, path }]
const full = new StoreWriteError('SQLite', '/d/sagasu.db', 'the disk holding the database is full (SQLITE_FULL: database or disk is full)')

describe('trackUnsavedFiles', () => {
  it('reports the files the store refused with its reason until they are saved, and logs their count', () => {
    const lines: string[] = []
    const unsaved = trackUnsavedFiles((line) => lines.push(line), () => undefined)
    expect(unsaved.report()).toBeUndefined()
    unsaved.keep([entry('a.png'), entry('b.png')], full)
    unsaved.keep([entry('b.png'), entry('c.png')], full)
    expect(unsaved.report()).toMatchObject({ count: 3, reason: full.message, examples: ['lib/a.png', 'lib/b.png', 'lib/c.png'] })
    expect(lines.at(-1)).toBe(`library: 3 files could not be saved (${full.message}); trying again in 10 s`)
    unsaved.saved(['lib\u0000a.png'])
    expect(unsaved.report()?.count).toBe(2)
    unsaved.saved(['lib\u0000b.png', 'lib\u0000c.png'])
    expect(unsaved.report()).toBeUndefined()
    expect(lines.at(-1)).toBe('library: the store writes again; the files that waited are saved')
    unsaved.stop()
  })

  it('names at most 20 of them', () => {
    const unsaved = trackUnsavedFiles(() => undefined, () => undefined)
    unsaved.keep(Array.from({ length: 25 }, (_, i) => entry(`${i}.png`)), full)
    expect(unsaved.report()).toMatchObject({ count: 25, examples: expect.arrayContaining(['lib/0.png']) })
    expect(unsaved.report()!.examples).toHaveLength(20)
    unsaved.clear()
    expect(unsaved.report()).toBeUndefined()
  })
})
