import type { Command } from 'commander'
import { openStore } from '../../server/store/open-store'
import { migrateStore } from '../../workers/migrate-store'
import { readConfig, type GlobalOptions } from '../context'
import { UsageError } from '../errors'
import { createProgressBar, log, printJson } from '../output'

interface MigrateOptions extends GlobalOptions {
  to?: string
}

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('copy the index to the other store profile (servers or embedded) without recomputing model outputs')
    .requiredOption('--to <profile>', 'servers or embedded')
    .action(async (options: MigrateOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const config = readConfig(global)
      const to = options.to
      if (to !== 'servers' && to !== 'embedded') throw new UsageError(`--to must be servers or embedded, got "${to}"`)
      if (to === config.store.profile) throw new UsageError(`the index is already in the ${to} profile (store.profile); --to names the other one`)
      const source = openStore(config)
      const target = openStore({ ...config, store: { ...config.store, profile: to } })
      try {
        const existing = await target.count({ type: 'and', children: [], span: { start: 0, end: 0 } })
        if (existing > 0) throw new UsageError(`the ${to} store already holds ${existing} images; migrate into an empty one`)
        const progress = createProgressBar()
        const counts = await migrateStore(source, target, { onProgress: (what, done, total) => progress.update(what, done, total) })
        progress.end()
        if (global.json) printJson(counts)
        else log(`copied ${counts.images} images (${counts.tags} with tags, ${counts.ocr} with OCR text), ${counts.embeddings} embeddings, ${counts.stages} stage marks, ${counts.errors} errors, ${counts.pixivWorks} pixiv works, ${counts.batchSets} batch sets; set store.profile: ${to} to use it`)
      } finally {
        await source.close()
        await target.close()
      }
    })
}
