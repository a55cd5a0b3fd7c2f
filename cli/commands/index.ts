import type { Command } from 'commander'
import { estimateIndex } from '../../server/store/embedded/vector-index/estimate'
import type { VectorIndexStats } from '../../server/store/store'
import { readConfig, withContext, type GlobalOptions } from '../context'
import { UsageError } from '../errors'
import { createProgressBar, printJson } from '../output'

/** CLIP ViT-B/32's dimension, for an estimate before any embedding is stored. */
const DEFAULT_DIMS = 512

/** `sagasu index rebuild | estimate | stats`: the vector index of the embedded profile. */
export function registerIndex(program: Command): void {
  const index = program.command('index').description('the vector index (CLIP embeddings)')

  index
    .command('rebuild')
    .description('build the vector index afresh from the embeddings stored in SQLite (atomic: the old index serves until the new one is saved)')
    .option('--model <model>', 'only this model')
    .action(async (options: { model?: string }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>()
      const bar = createProgressBar()
      const rebuilt = await withContext(global, async (ctx) => {
        if (options.model !== undefined && !(await ctx.store.vectorIndexStats()).some((stats) => stats.model === options.model)) {
          throw new UsageError(`no embeddings are stored for model "${options.model}"`)
        }
        return ctx.store.rebuildVectorIndex({ ...(options.model === undefined ? {} : { model: options.model }), onProgress: (model, done, total) => bar.update(model.slice(-6), done, total) })
      })
      bar.end()
      if (global.json) return printJson({ rebuilt })
      if (!rebuilt.length) process.stdout.write('no embeddings stored yet: nothing to index\n')
      for (const stats of rebuilt) process.stdout.write(`${describe(stats)}\n`)
    })

  index
    .command('estimate')
    .description('memory and disk of the vector index for N vectors with the current dimension and parameters')
    .option('--count <n>', 'number of vectors (default: the images in the library)')
    .option('--dims <n>', `vector dimension (default: the stored embeddings', else ${DEFAULT_DIMS})`)
    .action(async (options: { count?: string; dims?: string }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>()
      const count = options.count === undefined ? undefined : wholeNumber('--count', options.count, 0)
      const dimsOption = options.dims === undefined ? undefined : wholeNumber('--dims', options.dims, 1)
      const config = readConfig(global)
      const { images, dims } = await withContext(global, async (ctx) => ({
        images: (await ctx.store.stats()).images,
        dims: (await ctx.store.vectorIndexStats())[0]?.dims,
      }), config)
      const estimate = estimateIndex({ count: count ?? images, dims: dimsOption ?? dims ?? DEFAULT_DIMS, connectivity: config.vectors.connectivity })
      if (global.json) return printJson({ ...estimate, quantization: 'i8' })
      process.stdout.write(`${estimate.count} vectors of ${estimate.dims} dims (int8 graph and copy, M=${estimate.connectivity}):\n`
        + `  memory ${mib(estimate.memoryBytes)}, index file ${mib(estimate.diskBytes)}, embeddings in SQLite ${mib(estimate.sqliteBytes)}\n`)
    })

  index
    .command('stats')
    .description('the vector index per model: stored embeddings, the saved index, changes it does not hold yet')
    .action(async (_options: unknown, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>()
      const models = await withContext(global, (ctx) => ctx.store.vectorIndexStats())
      if (global.json) return printJson({ models })
      if (!models.length) process.stdout.write('no embeddings stored yet\n')
      for (const stats of models) process.stdout.write(`${describe(stats)}\n`)
    })
}

function describe(stats: VectorIndexStats): string {
  return `${stats.model}: ${stats.vectors} vectors of ${stats.dims} dims, index file ${mib(stats.fileBytes)}, ${stats.pending} changes not in the saved index`
}

function wholeNumber(option: string, text: string, min: number): number {
  const value = Number(text)
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) throw new UsageError(`${option} must be a whole number ≥ ${min}, got "${text}"`)
  return value
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
