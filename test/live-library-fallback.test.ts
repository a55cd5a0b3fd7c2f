/**
 * A live library whose watcher fails does not go quiet: the folder is re-scanned every
 * `watch.fallbackRescanSeconds` instead, and GET /api/health, GET /api/jobs and the log say so.
 *
 * The failures are real ones, not injected: the server runs in a user namespace of its own whose
 * inotify limits are lowered (`/proc/sys/user/max_inotify_*` are per user namespace), so the kernel
 * answers EMFILE (no inotify instance may be created) or ENOSPC (the watch limit is reached) as it
 * does on a machine out of them. Nothing outside that namespace is affected.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobsReport, SearchPage } from '../shared/types/api'
import { launchBrowser, openPage, screenshot } from './helpers/browser'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { CHANGES_TEST_TIMEOUT_MS, startServer, waitForChanges, watchReport, type RunningServer } from './helpers/server'

/** `unshare -U -r` with one limit lowered, then exec node (the server keeps the pid the test signals). */
function limitedNode(setting: 'max_inotify_instances' | 'max_inotify_watches', value: number): string[] {
  return ['unshare', '-U', '-r', 'sh', '-c', `echo ${value} > /proc/sys/user/${setting} && exec "$0" "$@"`, process.execPath]
}

const probe = spawnSync('unshare', ['-U', '-r', 'sh', '-c', 'echo 0 > /proc/sys/user/max_inotify_instances'], { encoding: 'utf8' })
const noNamespaces = probe.status !== 0 ? `user namespaces are not available here (unshare -U -r: ${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim()})` : ''
if (noNamespaces) process.stderr.write(`live-library-fallback.test.ts skipped: ${noNamespaces}\n`)

for (const { code, setting, value } of [
  { code: 'EMFILE', setting: 'max_inotify_instances', value: 0 },
  { code: 'ENOSPC', setting: 'max_inotify_watches', value: 1 },
] as const) {
  describe.skipIf(Boolean(noNamespaces))(`a watcher that fails with ${code}`, { timeout: CHANGES_TEST_TIMEOUT_MS }, () => {
    let dir: string
    let lib: string
    let server: RunningServer

    const names = async () => ((await (await fetch(`${server.url}/api/search?limit=500`)).json()) as SearchPage).results.map((image) => image.filename).sort()

    beforeAll(async () => {
      dir = tempDir()
      lib = join(dir, 'lib')
      await writeImage(join(lib, 'at-start.png'), { color: colorOf(1) })
      // Directories enough that one inotify watch cannot cover them.
      for (const sub of ['a', 'b', 'c']) mkdirSync(join(lib, sub))
      // Events alone would never see the new files (the periodic full re-scan is an hour away).
      const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', watch: { debounceMs: 200, rescanMinutes: 60, fallbackRescanSeconds: 1 } })
      server = await startServer(['--config', config], { command: limitedNode(setting, value) })
    })

    afterAll(async () => {
      await server?.stop()
    })

    it('switches the folder to re-scans and says so in GET /api/health, GET /api/jobs and the log', async () => {
      const watch = await watchReport(server)
      expect(watch.state).toBe('watching')
      expect(watch.folders).toEqual([{ folder: 'lib', mode: 'rescan', reason: expect.stringContaining(code), since: expect.any(Number), rescanSeconds: 1 }])
      const jobs = (await (await fetch(`${server.url}/api/jobs`)).json()) as JobsReport
      expect(jobs.watch?.folders[0]).toMatchObject({ folder: 'lib', mode: 'rescan' })
      expect(server.output()).toMatch(new RegExp(`watching .*lib failed \\(${code}.*re-scanning it every 1 s instead`))
    })

    it('shows the folder\'s re-scans on the jobs page', async () => {
      const browser = await launchBrowser()
      try {
        const { page, errors } = await openPage(browser)
        await page.goto(`${server.url}/jobs`)
        const warning = page.getByTestId('watch-fallback')
        await warning.waitFor()
        expect(await warning.innerText()).toMatch(new RegExp(`Watching lib failed \\(${code}.*\\): its folder is re-scanned every 1 s instead`))
        await screenshot(page, `jobs-watch-fallback-${code}`)
        expect(errors).toEqual([])
      } finally {
        await browser.close()
      }
    })

    it('still finds new files, through the re-scans', async () => {
      expect(await names()).toEqual(['at-start.png'])
      const since = (await watchReport(server)).changesApplied
      await writeImage(join(lib, 'b/new.png'), { color: colorOf(2) })
      await waitForChanges(server, since, 1, 'the new file')
      expect(await names()).toEqual(['at-start.png', 'new.png'])
    })
  })
}
