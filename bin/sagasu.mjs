#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so a checkout works right after `npm install`.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../cli/main.ts')
// `serve` and `watch` return once started and keep the process alive with their servers and watchers.
process.exitCode = await main(process.argv.slice(2))
