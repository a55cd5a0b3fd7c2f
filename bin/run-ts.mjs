#!/usr/bin/env node
// Runs a TypeScript script (benchmarks, fixture generators): node bin/run-ts.mjs FILE.ts [args…]
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { register } from 'tsx/esm/api'

register()
const [file, ...rest] = process.argv.slice(2)
if (!file) {
  process.stderr.write('usage: node bin/run-ts.mjs FILE.ts [args…]\n')
  process.exit(2)
}
process.argv = [process.argv[0], file, ...rest]
await import(pathToFileURL(resolve(file)).href)
