// Writes a synthetic illustration library for demos, benchmarks and manual testing:
//   node bin/run-ts.mjs scripts/make-library.ts DIR --count N [--seed S] [--min-side A] [--max-side B]
//     [--formats png,jpeg,webp] [--concurrency C] [--flat] [--no-text] [--no-ai-metadata] [--quiet]
import path from 'node:path'
import { parseArgs } from 'node:util'
import { generateSyntheticLibrary, type SyntheticFormat, type SyntheticKind } from '../workers/synthetic-library.js'

const USAGE = 'usage: make-library DIR --count N [--seed S] [--min-side A] [--max-side B] [--formats png,jpeg,webp] [--concurrency C] [--flat] [--no-text] [--no-ai-metadata] [--quiet]'

function fail(message: string): never {
  process.stderr.write(`make-library: ${message}\n${USAGE}\n`)
  process.exit(2)
}

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  // Number() would accept "1e3" or "0x10"; a plain integer is less surprising on a command line.
  if (!/^-?\d+$/.test(value)) fail(`--${name} must be an integer, got ${JSON.stringify(value)}`)
  return Number(value)
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  return `${(n / 1024).toFixed(1)} KiB`
}

async function main(): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        'count': { type: 'string', short: 'n' },
        'seed': { type: 'string' },
        'min-side': { type: 'string' },
        'max-side': { type: 'string' },
        'formats': { type: 'string' },
        'concurrency': { type: 'string' },
        'flat': { type: 'boolean' },
        'no-text': { type: 'boolean' },
        'no-ai-metadata': { type: 'boolean' },
        'quiet': { type: 'boolean', short: 'q' },
        'help': { type: 'boolean', short: 'h' },
      },
    })
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err))
  }
  const { values, positionals } = parsed
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (positionals.length !== 1) fail('expected exactly one DIR')
  const dir = path.resolve(positionals[0]!)
  const count = intOption(values.count, 'count')
  if (count === undefined) fail('--count is required')
  let formats: SyntheticFormat[] | undefined
  if (values.formats !== undefined) {
    formats = values.formats.split(',').map((f) => f.trim().toLowerCase()).filter(Boolean).map((f) => {
      const normal = f === 'jpg' ? 'jpeg' : f
      if (normal !== 'png' && normal !== 'jpeg' && normal !== 'webp') fail(`unknown format ${JSON.stringify(f)}`)
      return normal
    })
  }

  // Progress goes to stderr and only to a terminal, so stdout stays the one summary line.
  const showProgress = !values.quiet && process.stderr.isTTY === true
  let lastShown = 0
  const started = performance.now()
  let images
  try {
    images = await generateSyntheticLibrary(dir, {
      count,
      ...(values.seed !== undefined ? { seed: intOption(values.seed, 'seed')! } : {}),
      ...(values['min-side'] !== undefined ? { minSide: intOption(values['min-side'], 'min-side')! } : {}),
      ...(values['max-side'] !== undefined ? { maxSide: intOption(values['max-side'], 'max-side')! } : {}),
      ...(values.concurrency !== undefined ? { concurrency: intOption(values.concurrency, 'concurrency')! } : {}),
      ...(formats ? { formats } : {}),
      subfolders: values.flat !== true,
      text: values['no-text'] !== true,
      aiMetadata: values['no-ai-metadata'] !== true,
      onProgress: (done, total) => {
        const now = performance.now()
        if (showProgress && (now - lastShown > 250 || done === total)) {
          lastShown = now
          process.stderr.write(`\r${done}/${total}`)
          if (done === total) process.stderr.write('\n')
        }
      },
    })
  } catch (err) {
    if (err instanceof RangeError) fail(err.message)
    throw err
  }
  const seconds = (performance.now() - started) / 1000
  const bytes = images.reduce((sum, i) => sum + i.bytes, 0)
  const kinds = new Map<SyntheticKind, number>()
  for (const i of images) kinds.set(i.kind, (kinds.get(i.kind) ?? 0) + 1)
  const breakdown = [...kinds].map(([k, n]) => `${k} ${n}`).join(', ')
  const withText = images.filter((i) => i.text !== undefined).length
  const withAi = images.filter((i) => i.ai !== undefined).length
  process.stdout.write(
    `wrote ${images.length} images (${formatBytes(bytes)}) to ${dir} in ${seconds.toFixed(seconds < 10 ? 2 : 1)} s` +
      ` — ${breakdown}; ${withText} with text, ${withAi} with AI metadata\n`,
  )
}

await main()
