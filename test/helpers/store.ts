import type { Store } from '../../server/store/store'
import { openSqliteStore } from '../../server/store/embedded/sqlite-store'
import { tempDir } from './library'

/** A new embedded store in a new temporary folder (`beforeEach(() => ({ dir, store } = openTempStore()))`). */
export function openTempStore(): { dir: string; store: Store } {
  const dir = tempDir()
  return { dir, store: openSqliteStore(dir) }
}
