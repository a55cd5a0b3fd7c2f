import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { FolderConfig } from '../../config/schema'
import { runImport } from '../../workers/import'
import { runModelStages } from '../../workers/model-stages'
import { readConfig, withInterruptibleContext, type GlobalOptions } from '../context'
import { UsageError } from '../errors'
import { createProgressBar, log, printJson } from '../output'
import { parseCount } from '../parse-options'

interface ImportOptions extends GlobalOptions {
  concurrency?: string
  retryErrors?: boolean
  wait?: boolean
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('index the configured folders (or the folder names or paths given)')
    .argument('[folders...]', 'configured folder names, or paths of configured folders')
    .option('--concurrency <n>', 'files processed at once')
    .option('--retry-errors', 'try again the files that failed before')
    .option('--wait', 'also run the model stages (tagger, CLIP, OCR) over what is not done yet, and wait for them')
    .action(async (names: string[], options: ImportOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const config = readConfig(global)
      const folders = selectFolders(config.folders, names)
      const concurrency = options.concurrency === undefined ? config.import.concurrency : parseCount(options.concurrency, '--concurrency', 1, 64)
      const progress = createProgressBar()
      await withInterruptibleContext(global, config, async (ctx, signal) => {
        const counts = await runImport(ctx, {
          folders,
          concurrency,
          retryErrors: options.retryErrors,
          signal,
          onProgress: ({ phase, done, total }) => progress.update(phase, done, total),
        })
        progress.end()
        if (!global.json) log(`scanned ${counts.scanned}: ${counts.added} added, ${counts.updated} updated, ${counts.moved} moved, ${counts.removed} removed, ${counts.unchanged} unchanged, ${counts.errors} errors`)
        const stages = options.wait && !signal.aborted
          ? await runModelStages(ctx, { signal, onProgress: (stage) => progress.update(stage.stage, stage.done, stage.done + stage.pending) })
          : undefined
        progress.end()
        for (const stage of stages ?? []) {
          if (!global.json) log(stage.state === 'disabled' ? `${stage.stage}: disabled: ${stage.reason}` : `${stage.stage}: ${stage.processed} images, ${stage.failed} failed; ${stage.done} done in all`)
        }
        if (signal.aborted) log('import interrupted; run it again to resume')
        if (global.json) printJson(stages ? { ...counts, stages } : counts)
        if (signal.aborted) process.exitCode = 130
      })
    })
}

function selectFolders(configured: FolderConfig[], names: string[]): FolderConfig[] {
  if (!configured.length) throw new UsageError('no folders are configured: add them under "folders:" in sagasu.config.yaml (see config/sagasu.example.yaml)')
  if (!names.length) return configured
  return names.map((name) => {
    const folder = configured.find((f) => f.name === name || f.path === resolve(name))
    if (!folder) throw new UsageError(`"${name}" is not a configured folder; configured: ${configured.map((f) => f.name).join(', ')}`)
    return folder
  })
}
