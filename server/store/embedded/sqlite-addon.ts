/**
 * The better-sqlite3 addons (`better_sqlite3.node` files) this process has loaded. There must never be
 * two: the built server loads its copy from `.output/server/node_modules`, while the import thread runs
 * the TypeScript sources, which would load the checkout's copy. Two copies of SQLite in one process do
 * not see each other's POSIX locks (those belong to the process), so the second believes it is alone,
 * resets the WAL index the first has mapped, and the process dies of SIGBUS or corrupts the index
 * (https://sqlite.org/howtocorrupt.html §2.2.1). The thread therefore opens its database with the
 * server's own addon (`nativeBinding`), and checks that it did.
 */
export function loadedSqliteAddons(): string[] {
  // The diagnostic report lists the shared objects of the process; it takes a few milliseconds, once.
  const report = process.report?.getReport() as { sharedObjects?: string[] } | undefined
  return [...new Set((report?.sharedObjects ?? []).filter((path) => path.endsWith('/better_sqlite3.node')))]
}
