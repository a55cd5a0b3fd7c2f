// Bootstrap of the live library's worker thread: a thread does not run TypeScript by itself, so it
// registers tsx (as bin/sagasu.mjs does for the main thread) and then loads the entry it was given.
import { pathToFileURL } from 'node:url'
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(pathToFileURL(workerData.entry).href)
