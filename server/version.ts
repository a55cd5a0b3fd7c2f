import { readFileSync } from 'node:fs'

/** The package version, read once (package.json sits at the project root in both dev and build). */
export const SAGASU_VERSION: string = readVersion()

function readVersion(): string {
  for (const candidate of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'sagasu' && pkg.version) return pkg.version
    } catch {
      // try the next level up
    }
  }
  return process.env.npm_package_version ?? '0.0.0'
}
