import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** Debian packages the tests drive for real, by a file that shows each is installed. */
export const APT_PACKAGES = [
  { name: 'chromium', file: '/usr/bin/chromium', why: 'browser tests (Playwright drives Debian’s Chromium)' },
  { name: 'nginx', file: '/usr/sbin/nginx', why: 'the nginx gallery test' },
  { name: 'fonts-noto-cjk', file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', why: 'Japanese and Chinese text in browser screenshots' },
  { name: 'docker-compose', file: '/usr/bin/docker-compose', why: 'validating docker-compose.yml (no Docker engine runs here; `config` needs none)' },
] as const

/** Installs the missing ones with apt-get (the test machine runs as root); a no-op when all are there. */
export function installAptPackages(log: (line: string) => void): void {
  const missing = APT_PACKAGES.filter(({ file }) => !existsSync(file))
  if (missing.length === 0) {
    log(`apt: ${APT_PACKAGES.map(({ name }) => name).join(', ')} are installed`)
    return
  }
  for (const { name, why } of missing) log(`apt: installing ${name}, for ${why}`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing.map(({ name }) => name)], { stdio: 'inherit', env })
  for (const { name, file } of missing) {
    if (!existsSync(file)) throw new Error(`apt-get installed ${name} but ${file} is missing`)
  }
}
