import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import type { Writable } from 'node:stream'
import { Option, type Command } from 'commander'
import type { DatasetSplit } from '../../shared/types/dataset'
import { csvHeader, exportRows, toCsvLine, toJsonLine } from '../../server/dataset/batch-export'
import { findBatchSet } from '../../server/dataset/batch-sets'
import { parseBatchSetId, parseSplit } from '../../server/http/dataset-requests'
import { withContext, type GlobalOptions } from '../context'
import { UsageError } from '../errors'
import { log, printJson } from '../output'

interface ExportOptions extends GlobalOptions {
  format: 'jsonl' | 'csv'
  out?: string
  split?: string
  baseUrl?: string
}

export interface ExportSummary {
  id: string
  format: 'jsonl' | 'csv'
  out: string
  rows: number
  missing: number
}

export function registerExportBatches(program: Command): void {
  program
    .command('export-batches')
    .description('write every image of a batch set, one line each: split, batch number, image, file, URL and tags')
    .argument('<id>', 'batch set id (sagasu batches list)')
    .addOption(new Option('--format <format>', 'jsonl (JSON Lines) or csv').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--out <file>', 'write to this file instead of stdout (written whole or not at all)')
    .option('--split <split>', 'only train, validation or test')
    .option('--base-url <url>', 'put before the /files/… URLs, e.g. http://127.0.0.1:3000')
    .action(async (idText: string, options: ExportOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const id = parseBatchSetId(idText)
      if (!id) throw new UsageError(`a batch set id is 32 hex digits, got "${idText}"`)
      let splits: DatasetSplit[] | undefined
      if (options.split !== undefined) {
        const split = parseSplit(options.split)
        if (!split) throw new UsageError(`--split must be train, validation or test, got "${options.split}"`)
        splits = [split]
      }
      if (global.json && !options.out) throw new UsageError('--json prints a summary, so it needs --out FILE for the export itself')
      const summary = await withContext(global, async (ctx) => {
        const found = await findBatchSet(ctx.store, id)
        if (!found.ok) throw new UsageError(found.message)
        let missing = 0
        const rows = exportRows(ctx.store, found.value, { folders: ctx.config.folders, splits, baseUrl: options.baseUrl, onMissing: () => missing++ })
        const write = (out: Writable) => writeRows(out, rows, options.format)
        const count = options.out ? await writeFileWhole(options.out, write) : await write(process.stdout)
        return { id, format: options.format, out: options.out ?? '-', rows: count, missing } satisfies ExportSummary
      })
      if (global.json) return printJson(summary)
      const gone = summary.missing ? `; ${summary.missing} left out, their content is no longer in the library` : ''
      log(`exported ${summary.rows} images of batch set ${id}${options.out ? ` to ${options.out}` : ''}${gone}`)
    })
}

async function writeRows(out: Writable, rows: AsyncIterable<Parameters<typeof toJsonLine>[0]>, format: 'jsonl' | 'csv'): Promise<number> {
  let count = 0
  const line = format === 'csv' ? toCsvLine : toJsonLine
  if (format === 'csv' && !out.write(csvHeader())) await once(out, 'drain')
  for await (const row of rows) {
    count++
    if (!out.write(line(row))) await once(out, 'drain')
  }
  return count
}

/** Writes beside the target and renames at the end, so a failed export leaves no half file. */
async function writeFileWhole(path: string, write: (out: Writable) => Promise<number>): Promise<number> {
  const partial = `${path}.partial`
  const out = createWriteStream(partial)
  try {
    await once(out, 'open')
    const count = await write(out)
    out.end()
    await once(out, 'finish')
    await rename(partial, path)
    return count
  } catch (error) {
    out.destroy()
    await rm(partial, { force: true })
    throw error
  }
}
