import { describe, expect, it } from 'vitest'
import { StoreUnavailableError } from '../server/store/store-unavailable-error'
import { StoreWriteError } from '../server/store/store-write-error'
import { StageError } from './stage'
import { fileReadFailure, isTransientFailure } from './transient-failure'

const errno = (code: string, message = code) => Object.assign(new Error(message), { code })

describe('isTransientFailure', () => {
  it('calls failures of the machine transient', () => {
    for (const code of ['ENOSPC', 'EDQUOT', 'EROFS', 'EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'ETIMEDOUT']) expect(isTransientFailure(errno(code)), code).toBe(true)
    for (const code of ['SQLITE_FULL', 'SQLITE_BUSY', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY']) expect(isTransientFailure(errno(code)), code).toBe(true)
    expect(isTransientFailure(new StageError('thumbnail', 'cannot write the thumbnail', 'error', { transient: true }))).toBe(true)
    expect(isTransientFailure(new StoreWriteError('SQLite', '/d/sagasu.db', 'full'))).toBe(true)
    expect(isTransientFailure(new StoreUnavailableError('MongoDB', 'mongodb://db', 'ECONNREFUSED'))).toBe(true)
    expect(isTransientFailure(new Error('wrapped', { cause: errno('ENOSPC') }))).toBe(true)
  })

  it('keeps problems of the file sticky', () => {
    expect(isTransientFailure(new StageError('probe', 'not an image'))).toBe(false)
    expect(isTransientFailure(new StageError('read', 'file is larger than import.maxFileMiB (200 MiB)'))).toBe(false)
    // A bad sector of a library file stays; EIO writing the data directory fails the thumbnail stage as transient instead.
    for (const code of ['EIO', 'EACCES', 'EISDIR', 'ENAMETOOLONG', 'SQLITE_CONSTRAINT']) expect(isTransientFailure(errno(code)), code).toBe(false)
    expect(isTransientFailure('not an error')).toBe(false)
  })

  it('makes read failures stage errors that know whether they were transient', () => {
    const busy = fileReadFailure(errno('EMFILE', 'EMFILE: too many open files, open \'/lib/a.png\''))
    expect(busy).toMatchObject({ stage: 'read', transient: true })
    const denied = fileReadFailure(errno('EACCES'))
    expect(denied).toMatchObject({ stage: 'read', message: 'permission denied', transient: false })
  })
})
