import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load-config'
import type { FolderConfig, SagasuConfig } from '../../config/schema'
import { withFileLock } from '../../server/services/file-lock'
import { addFolderToFile, SettingsError } from '../../server/services/settings-file'
import { runImport } from '../../workers/import'
import { forgetKeptFolders, keepFolder, readKeptFolders } from '../../workers/kept-folders'
import { runModelStages } from '../../workers/model-stages'
import type { PipelineContext } from '../../workers/pipeline-context'
import { withInterruptibleContext, type GlobalOptions } from '../context'
import { UsageError } from '../errors'
import { nameFolders, selectFolders } from '../new-folders'
import { createProgressBar, log, printJson } from '../output'
import { parseCount } from '../parse-options'

interface ImportOptions extends GlobalOptions {
  concurrency?: string
  retryErrors?: boolean
  wait?: boolean
  name?: string
  save: boolean
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('index the configured folders, or the folders given: a path not configured yet is added to the configuration file and imported')
    .argument('[folders...]', 'configured folder names, or folder paths (configured or new)')
    .option('--name <name>', 'the name of the one new folder given (default: from the folder\'s own name)')
    .option('--no-save', 'import new folders for this run only, without adding them to the configuration file')
    .option('--concurrency <n>', 'files processed at once')
    .option('--retry-errors', 'try again the files that failed before')
    .option('--wait', 'also run the model stages (tagger, CLIP, OCR) over what is not done yet, and wait for them')
    .action(async (args: string[], options: ImportOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const file = configFileOf(global)
      const first = readImportConfig(global)
      // Arguments are checked before anything is touched: a bad path changes nothing.
      const checked = selectFolders(first.folders, args)
      if (!first.folders.length && !checked.paths.length) throw new UsageError('no folders are configured: give the folder to import (sagasu import PATH), or add it under "folders:" in sagasu.config.yaml (see config/sagasu.example.yaml)')
      if (options.name !== undefined && checked.paths.length !== 1) throw new UsageError(`--name names one new folder; ${checked.paths.length ? `${checked.paths.length} were given` : 'every folder given is configured already'}`)
      const concurrency = options.concurrency === undefined ? first.import.concurrency : parseCount(options.concurrency, '--concurrency', 1, 64)
      mkdirSync(first.dataDir, { recursive: true })
      // One import of an index at a time: each process drops the queued jobs of folders it does not
      // know, so an import that added a folder must not run beside one that read the file before.
      await withFileLock(join(first.dataDir, 'import.lock'), async () => {
        // Read again: the import waited for may have added folders.
        const config = readImportConfig(global)
        const selection = selectFolders(config.folders, args)
        await withInterruptibleContext(global, config, async (ctx, signal) => {
          const added = await nameFolders(selection.paths, options.name, config.folders, readKeptFolders(config.dataDir), ctx.store)
          if (added.length && options.save) {
            await saveFolders(file, added)
            // Imported before with --no-save under this name: configured now, the list need not keep it.
            await forgetKeptFolders(config.dataDir, added.map(({ name }) => name))
          }
          // Listed before the import starts, so that even an interrupted one leaves nothing a later import would drop.
          if (!options.save) for (const { name, path } of added) await keepFolder(config.dataDir, { name, path })
          for (const folder of added) log(`${options.save ? `added "${folder.name}" (${folder.path}) to ${file}` : `importing "${folder.name}" (${folder.path}) for this run only (--no-save)`}`)
          // The file queue finds a job's folder in the configuration.
          config.folders.push(...added)
          const folders = args.length ? [...selection.configured, ...added] : config.folders
          await importFolders(ctx, folders, concurrency, options, global, signal, added)
        })
      }, { onWait: (holder) => log(`waiting for the import running in process ${holder} to finish…`) })
    })
}

type Ctx = PipelineContext

async function importFolders(ctx: Ctx, folders: FolderConfig[], concurrency: number, options: ImportOptions, global: GlobalOptions, signal: AbortSignal, added: FolderConfig[]): Promise<void> {
  const progress = createProgressBar()
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
  const newFolders = added.length ? { newFolders: added.map(({ name, path }) => ({ name, path, saved: options.save })) } : {}
  if (global.json) printJson({ ...counts, ...newFolders, ...(stages ? { stages } : {}) })
  if (signal.aborted) process.exitCode = 130
}

/** The file new folders are written to: --config, else $SAGASU_CONFIG, else ./sagasu.config.yaml (created when missing). */
function configFileOf(options: GlobalOptions): string {
  return resolve(options.config ?? (process.env.SAGASU_CONFIG || DEFAULT_CONFIG_FILE))
}

function readImportConfig(options: GlobalOptions): SagasuConfig {
  return loadConfig({ file: options.config, dataDir: options.dataDir, missingFileIsEmpty: true }).config
}

async function saveFolders(file: string, added: FolderConfig[]): Promise<void> {
  try {
    await addFolderToFile(file, added.map(({ name, path, recursive }) => ({ name, path, recursive })), (listed) => {
      // Another process (the settings page) may have added the same folder since this import read the file.
      for (const folder of added) {
        if (listed.some((entry) => entry.name === folder.name)) throw new SettingsError('name', `a folder named "${folder.name}" was added to ${file} meanwhile; run the import again`)
      }
    })
  } catch (error) {
    if (error instanceof SettingsError) throw new UsageError(error.message)
    throw error
  }
}
