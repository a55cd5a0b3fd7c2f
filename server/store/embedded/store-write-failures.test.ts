import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/helpers/library'
import type { Store } from '../store'
import { StoreUnavailableError } from '../store-unavailable-error'
import { StoreWriteError } from '../store-write-error'
import { migrate } from './migrations'
import { openSqliteStore } from './sqlite-store'
import { sqliteWriteFailure } from './sqlite-write-failure'

describe('SQLite error records and write failures', () => {
  let store: Store | undefined
  afterEach(() => store?.close())

  it('keeps whether a failure was transient, and failedFiles says so', async () => {
    store = openSqliteStore(tempDir())
    await store.recordError({ folder: 'lib', path: 'full.png', stage: 'thumbnail', reason: 'ENOSPC', level: 'error', transient: true, filesize: 1, mtime: 2 })
    await store.recordError({ folder: 'lib', path: 'bad.png', stage: 'probe', reason: 'not an image', level: 'error', filesize: 3, mtime: 4 })
    expect((await store.listErrors('lib')).map(({ path, transient }) => ({ path, transient })).sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'bad.png', transient: false }, { path: 'full.png', transient: true },
    ])
    expect(await store.failedFiles('lib')).toEqual(new Map([
      ['full.png', { path: 'full.png', filesize: 1, mtime: 2, transient: true }],
      ['bad.png', { path: 'bad.png', filesize: 3, mtime: 4, transient: false }],
    ]))
    // The same file failing for its own reason later is sticky again.
    await store.recordError({ folder: 'lib', path: 'full.png', stage: 'probe', reason: 'truncated', level: 'error', filesize: 1, mtime: 2 })
    expect((await store.failedFiles('lib')).get('full.png')?.transient).toBe(false)
  })

  it('migrates error records written before the flag as sticky', async () => {
    const dir = tempDir()
    const db = new Database(join(dir, 'sagasu.db'))
    migrate(db, 9)
    db.prepare("INSERT INTO errors (folder, path, stage, reason, level, filesize, mtime, at) VALUES ('lib', 'old.png', 'probe', 'bad', 'error', 1, 2, 3)").run()
    db.close()
    store = openSqliteStore(dir)
    expect(await store.listErrors()).toEqual([{ folder: 'lib', path: 'old.png', stage: 'probe', reason: 'bad', level: 'error', transient: false, at: 3 }])
  })

  it('turns a write to a read-only database into a StoreWriteError naming the file and why', () => {
    const dir = tempDir()
    const file = join(dir, 'sagasu.db')
    openSqliteStore(dir).close()
    const readOnly = new Database(file, { readonly: true })
    let failure: unknown
    try {
      readOnly.prepare('INSERT INTO health_probe (id, at) VALUES (1, 1)').run()
    } catch (error) {
      failure = sqliteWriteFailure(error, file)
    } finally {
      readOnly.close()
    }
    expect(failure).toBeInstanceOf(StoreWriteError)
    expect(failure).toBeInstanceOf(StoreUnavailableError)
    expect((failure as StoreWriteError).message).toBe(`SQLite at ${file} cannot write: the database file or its folder is read-only (SQLITE_READONLY: attempt to write a readonly database)`)
    expect((failure as StoreWriteError).statusCode).toBe(503)
  })

  it('passes other SQLite errors through unchanged', () => {
    const db = new Database(':memory:')
    let error: unknown
    try {
      db.prepare('SELECT * FROM missing').all()
    } catch (thrown) {
      error = thrown
    }
    db.close()
    expect(sqliteWriteFailure(error, 'x.db')).toBe(error)
  })

  it('proves it can write with a write that changes nothing anyone reads', async () => {
    const dir = tempDir()
    store = openSqliteStore(dir)
    const statsBefore = await store.stats()
    await expect(store.probeWrite()).resolves.toBeUndefined()
    await expect(store.probeWrite()).resolves.toBeUndefined()
    // One row, written: the probe really commits, and touches nothing else.
    const db = new Database(join(dir, 'sagasu.db'), { readonly: true })
    expect(db.prepare('SELECT count(*) FROM health_probe').pluck().get()).toBe(1)
    db.close()
    expect(await store.stats()).toEqual(statsBefore)
  })
})
