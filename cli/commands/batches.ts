import type { Command } from 'commander'
import type { BatchSetInfo } from '../../shared/types/dataset'
import { batchSetInfo, createBatchSet, findBatchSet } from '../../server/dataset/batch-sets'
import { seedFromText } from '../../server/dataset/seeded-order'
import { MAX_BATCH_SIZE, parseBatchSetId } from '../../server/http/dataset-requests'
import { withContext, type GlobalOptions } from '../context'
import { UsageError } from '../errors'
import { log, printJson } from '../output'
import { parseCount } from '../parse-options'

interface CreateOptions extends GlobalOptions {
  batchSize: string
  validation: string
  test: string
  seed?: string
  query?: string
}

/** `sagasu batches create | list | show`: the dataset API's batch sets from the command line. */
export function registerBatches(program: Command): void {
  const batches = program.command('batches').description('reproducible train/validation/test batch sets (see docs/dataset-api.md)')

  batches
    .command('create')
    .description('place every image matching the query in train, validation or test, cut into batches, and store it')
    .requiredOption('--batch-size <n>', `images per batch (1-${MAX_BATCH_SIZE})`)
    .option('--validation <percent>', 'validation split, 0-100', '0')
    .option('--test <percent>', 'test split, 0-100', '0')
    .option('--seed <seed>', 'a whole number or any text (default: drawn, and shown)')
    .option('-q, --query <query>', 'only the images matching this query (docs/query-language.md)')
    .action(async (options: CreateOptions, command: Command) => {
      const global = { ...command.optsWithGlobals<GlobalOptions>(), ...options }
      const batchSize = parseCount(options.batchSize, '--batch-size', 1, MAX_BATCH_SIZE)
      const validation = parsePercent(options.validation, '--validation')
      const test = parsePercent(options.test, '--test')
      if (validation + test > 100) throw new UsageError(`--validation + --test must be at most 100 (the rest is train), got ${validation + test}`)
      if (options.seed !== undefined && (options.seed === '' || options.seed.length > 200)) throw new UsageError('--seed must have 1 to 200 characters')
      const seed = options.seed === undefined ? undefined : seedFromText(options.seed)
      const info = await withContext(global, async (ctx) => {
        const created = await createBatchSet(ctx.store, { batch_size: batchSize, validation_split: validation, test_split: test, seed, q: options.query ?? '' })
        if (!created.ok) throw new UsageError(created.message)
        return batchSetInfo((await ctx.store.getBatchSet(created.value.id))!)
      })
      if (global.json) return printJson(info)
      process.stdout.write(`${info.id}\n`)
      log(describe(info))
    })

  batches
    .command('list')
    .description('batch set ids, oldest first')
    .action(async (_options: GlobalOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>()
      const ids = await withContext(global, (ctx) => ctx.store.listBatchSets())
      if (global.json) return printJson({ ids })
      for (const id of ids) process.stdout.write(`${id}\n`)
    })

  batches
    .command('show')
    .description('parameters, image and batch counts of a batch set')
    .argument('<id>', 'batch set id')
    .action(async (idText: string, _options: GlobalOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>()
      const id = parseBatchSetId(idText)
      if (!id) throw new UsageError(`a batch set id is 32 hex digits, got "${idText}"`)
      const info = await withContext(global, async (ctx) => {
        const found = await findBatchSet(ctx.store, id)
        if (!found.ok) throw new UsageError(found.message)
        return batchSetInfo(found.value)
      })
      if (global.json) return printJson(info)
      process.stdout.write(`${describe(info)}\n`)
    })
}

function parsePercent(text: string, option: string): number {
  const value = Number(text)
  if (!text.trim() || !Number.isFinite(value) || value < 0 || value > 100) throw new UsageError(`${option} must be a number from 0 to 100, got "${text}"`)
  return value
}

function describe(info: BatchSetInfo): string {
  return [
    `batch set ${info.id}: ${info.total_images} images in ${info.total_batches} batches of ${info.batch_size}, seed ${JSON.stringify(info.seed)}${info.q ? `, query ${info.q}` : ''}`,
    ...(['train', 'validation', 'test'] as const).map((split) => `  ${split.padEnd(10)} ${info[`${split}_images`]} images, ${info[`${split}_batches`]} batches`),
  ].join('\n')
}
