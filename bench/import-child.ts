// One import in its own process, so its peak RSS is the import's alone.
// Usage: node bin/run-ts.mjs bench/import-child.ts CONFIG CONCURRENCY
import { performance } from 'node:perf_hooks'
import { loadConfig } from '../config/load-config'
import { openStore } from '../server/store/open-store'
import { runImport } from '../workers/import'
import { currentWorkerId } from '../workers/worker-id'
import { peakRssMiB } from './peak-rss'

const [configFile, concurrencyText] = process.argv.slice(2)
const { config } = loadConfig({ file: configFile })
const store = openStore(config)
const concurrency = Number(concurrencyText ?? config.import.concurrency)
const started = performance.now()
const counts = await runImport({ config, store, worker: currentWorkerId(), log: (m) => process.stderr.write(`${m}\n`) }, { folders: config.folders, concurrency })
const seconds = (performance.now() - started) / 1000
await store.close()
process.stdout.write(`${JSON.stringify({ counts, seconds, maxRssMiB: peakRssMiB() })}\n`)

