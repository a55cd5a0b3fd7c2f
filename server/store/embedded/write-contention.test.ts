import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ImageInput } from '../../../shared/types/image'
import { ROOT } from '../../../test/helpers/cli'
import { openTempStore } from '../../../test/helpers/store'
import type { Store } from '../store'

const image = (path: string, hash: string): ImageInput => ({
  folder: 'lib', path, filename: path, ext: 'png', filesize: 10, mtime: 1000, hash,
  width: 100, height: 50, format: 'png', animated: false, frames: 1, type: 'other',
})

/**
 * Another connection (the server's import thread, a CLI import) holds the write lock for `holdMs`:
 * resolves once it has it, and `released` when it committed.
 */
async function holdWriteLock(dir: string, holdMs: number): Promise<{ released: Promise<void> }> {
  const code = `
    const Database = require('better-sqlite3')
    const db = new Database(process.argv[1])
    db.pragma('busy_timeout = 10000')
    db.exec('BEGIN IMMEDIATE')
    db.prepare("INSERT INTO errors (folder, path, stage, reason, level, at) VALUES ('other', 'x.png', 'read', 'held', 'error', 0)").run()
    process.stdout.write('locked\\n')
    setTimeout(() => { db.exec('COMMIT'); db.close() }, Number(process.argv[2]))
  `
  const child = spawn(process.execPath, ['-e', code, join(dir, 'sagasu.db'), String(holdMs)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  const released = new Promise<void>((resolve, reject) => child.once('exit', (status) => (status === 0 ? resolve() : reject(new Error(`the other connection exited with ${status}`)))))
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('locked')) resolve() })
    child.once('exit', () => reject(new Error('the other connection ended before it held the lock')))
  })
  return { released }
}

// Write transactions that read first (does the image still exist?) must wait for another
// connection's write like single statements do, not fail at once with SQLITE_BUSY.
describe('SQLite store beside another writing connection', () => {
  let dir: string
  let store: Store
  beforeEach(() => ({ dir, store } = openTempStore()))
  afterEach(() => store.close())

  it('waits for the other writer in read-then-write transactions instead of failing', async () => {
    const [a, b] = await store.saveImages([image('a.png', '0123456789abcdef'), image('b.png', '1123456789abcdef')])
    const { released } = await holdWriteLock(dir, 1500)
    await store.setTagsMany([{ id: a!, tags: [{ name: 'solo', category: 'general', score: 0.9 }] }])
    await store.markStageDone([a!, b!], 'tag', 'v1')
    await store.removeImages([b!])
    await store.saveImages([image('c.png', '2123456789abcdef')])
    await released
    expect((await store.getImage(a!))?.tags).toEqual({ solo: 0.9 })
    // b went with its stage row; c is new.
    expect(await store.stageCounts('tag', 'v1')).toEqual({ done: 1, pending: 1 })
    expect((await store.listErrors('other')).map((error) => error.reason)).toEqual(['held'])
  })
})
