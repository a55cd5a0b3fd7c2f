import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ROOT } from './helpers/cli'
import { tempDir } from './helpers/library'
import { hasCjkFonts } from '../scripts/ocr/text-image'

const run = promisify(execFile)
const cjkFonts = await hasCjkFonts()

// Benchmarks are not timed tests; this only proves the import benchmark still runs end to end.
describe('bench smoke', () => {
  it('runs the import benchmark on a tiny library and prints its table', async () => {
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/import.bench.ts', '--count', '12', '--min-side', '64', '--max-side', '128', '--work', tempDir()], { cwd: ROOT })
    expect(stdout).toMatch(/\| first import \(thumbnails included\) \| [\d.]+ images\/s \|/)
    expect(stdout).toMatch(/\| unchanged re-scan \| [\d.]+ s \| 12 files \|/)
    expect(stdout).toMatch(/Machine: \d+ cores/)
  })

  it('runs the query benchmark on a small generated index and reports every query', async () => {
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/query.bench.ts', '--count', '3000', '--runs', '2', '--work', tempDir()], { cwd: ROOT })
    expect(stdout).toMatch(/\| 1 \| common tag \|/)
    expect(stdout).toMatch(/\| 21 \| tags1 substring \|/)
    expect(stdout).toMatch(/\| 22 \| tag, by its score \|/)
    expect(stdout).toMatch(/\d+ of 22 queries meet the target/)
  })

  it('runs the model pipeline benchmark on a few small images with the fixture models', async () => {
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/pipeline.bench.ts', '--count', '4', '--batch', '2', '--min-side', '64', '--max-side', '96', '--work', tempDir()], { cwd: ROOT })
    expect(stdout).toMatch(/\| WD14 tagger \(448, BGR\) \| [\d.]+ \| [\d.]+ ms \|/)
    expect(stdout).toMatch(/\| DeepDanbooru tagger \(512, RGB, edge pad\) \| [\d.]+ \|/)
    expect(stdout).toMatch(/\| CLIP image tower \(224\) \| [\d.]+ \|/)
  })

  // The real-size mode's code path on the fixture models laid out as the stand-ins are (a real-size run is a benchmark, never a test).
  it('runs the real-size pipeline and tuning modes end to end on the fixture models', async () => {
    const work = tempDir()
    const models = join(work, 'models')
    mkdirSync(models)
    symlinkSync(join(ROOT, 'test/fixtures/models/tiny-wd14'), join(models, 'wd-swinv2-tagger-v3'))
    symlinkSync(join(ROOT, 'test/fixtures/models/tiny-clip'), join(models, 'clip-vit-base-patch32'))
    const pipeline = await run(process.execPath, ['bin/run-ts.mjs', 'bench/pipeline.bench.ts', '--real-size', '--models', models, '--count', '2', '--batch', '2', '--threads', '1', '--work', work], { cwd: ROOT })
    expect(pipeline.stdout).toMatch(/\| tagger wd-swinv2-tagger-v3 \| [\d.]+ \| \d+ ms \| \d+ ms \| -?\d+ ms \| \d+ % \| \d+ MiB \| [\d.]+ s \| [\d.]+ \| [\d.]+ \| \d+ ms \| -?\d+ ms \| -?[\d.]+ % \| -?[\d.]+ % \|/)
    expect(pipeline.stdout).toMatch(/\| OCR \(paddle PP-OCRv5 mobile\) \| [\d.]+ \|.* \| -?[\d.]+ % \|/)
    expect(pipeline.stdout).toMatch(/\| \*\*all stages, one after another\*\* \|.*\*\*[\d.]+\*\*/)
    expect(pipeline.stdout).toMatch(/\| all three model stages in one run \(one shared decode\) \| [\d.]+ \|.* \| -?[\d.]+ % \| -?[\d.]+ % \|/)
    const tuning = await run(process.execPath, ['bin/run-ts.mjs', 'bench/pipeline.bench.ts', '--tune', '--models', models, '--count', '2', '--batch', '2', '--work', work], { cwd: ROOT })
    expect(tuning.stdout).toMatch(/\| wd-swinv2-tagger-v3 \| 2 \| 8 \| [\d.]+ \|/)
    expect(tuning.stdout).toMatch(/\| wd-swinv2-tagger-v3 \| [\d.]+ \| [\d.]+ \| [\d.]+× \| [\d.]+ \| [\d.]+ \| max \\\|Δp\\\| [\d.]+, top-20 overlap \d+ % \|/)
    expect(tuning.stdout).toMatch(/\| clip-vit-base-patch32 \(image tower\) \|.*cosine min [\d.]+/)
  }, 240_000)

  it('runs the vector benchmark on a few thousand small vectors and reports every table', async () => {
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/vectors.bench.ts', '--count', '3000', '--dims', '32', '--queries', '20', '--uniform', '1000', '--work', tempDir()], { cwd: ROOT })
    expect(stdout).toMatch(/\| build, graph and int8 copy \(all cores, batches of 10,000\) \| [\d,]+ vectors\/s/)
    expect(stdout).toMatch(/\| clustered \| HNSW efSearch=64, 40 candidates re-ranked \(the store\) \| [\d.]+ \| [\d.]+ ms \| [\d.]+ ms \|/)
    expect(stdout).toMatch(/\| 10 % \([\d,]+\) \| planner \(exactBelow 20,000\) \| exact 20 \| 1\.000 \|/)
    expect(stdout).toMatch(/\| 50 % \([\d,]+\) \| int8 copy only \| exact 20 \| 1\.000 \|/)
    expect(stdout).toMatch(/\| efSearch=128 \| [\d.]+ \|/)
  })

  it('runs the dataset benchmark on a small generated index and reports every step', async () => {
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/dataset.bench.ts', '--count', '2000', '--runs', '1', '--work', tempDir()], { cwd: ROOT })
    expect(stdout).toMatch(/\| create \| `createBatchSet`: read, place, order, store the members \| [\d.]+ s \|/)
    expect(stdout).toMatch(/\| read a batch \| train batch \d+ \(64 images, hydrated\) \| [\d.]+ s \|/)
    expect(stdout).toMatch(/Memory: the plan of 2,000 images holds [\d.]+ MiB/)
  })

  // The OCR benchmark renders CJK text, so it needs fonts-noto-cjk (absent on CI).
  it.runIf(cjkFonts)('runs the OCR benchmark on a few generated images and reports every language', async () => {
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/ocr.bench.ts', '--count', '20', '--work', tempDir()], { cwd: ROOT })
    for (const text of ['English', 'Japanese, horizontal', 'Japanese, vertical', 'Chinese \\(simplified\\)']) expect(stdout).toMatch(new RegExp(`\\| ${text} \\| \\d+ \\| \\*\\*[\\d.]+ %\\*\\*`))
    expect(stdout).toMatch(/Throughput: [\d.]+ images\/s \(20 images in [\d.]+ s, 0 failed\)/)
  })

  // The real-image OCR benchmark reads ../shared/realworld (CI has it) and the models of `npm run test:deps`.
  const realworld = join(ROOT, '..', 'shared', 'realworld')
  if (!existsSync(realworld) && process.env.SAGASU_NO_REALWORLD) {
    it.skip(`skipped: the real-image OCR benchmark needs ${realworld}, which is missing, and SAGASU_NO_REALWORLD is set`, () => {})
  } else {
    it('runs the real-image OCR benchmark on one image per group with both engines and reports every group', async () => {
      const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/ocr.bench.ts', '--set', 'real', '--per-group', '1', '--work', tempDir()], { cwd: ROOT })
      for (const group of ['Japanese vertical \\(manga bubbles\\)', 'Chinese', 'English', 'whole manga pages \\(per bubble\\)', 'game frames \\(JRPG\\)']) {
        expect(stdout).toMatch(new RegExp(`\\| ${group} \\| 1 \\| (–|[\\d.]+ %) \\| [\\d.]+ %`))
      }
      expect(stdout).toMatch(/\| tesseract \| 1 \| \*\*[\d.]+\*\* \| [01] \|/)
      // The paddle engine runs, or the output says why not (a build without it).
      expect(stdout).toMatch(/\| paddle \| 1 \| \*\*[\d.]+\*\* \| [01] \||Not run: paddle: /)
      expect(stdout).toMatch(/tesseract \(`tesseract:[^`]+`\): loaded in [\d.]+ s .* 0 failed\./)
    }, 300_000)
  }

  it('runs the hostile-input benchmark (fuzzing, body abuse, import under load) on a tiny library and prints every table', async () => {
    const work = tempDir()
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/hostile.bench.ts', '--queries', '60', '--base', '12', '--files', '16', '--min-side', '64', '--max-side', '96', '--clients', '3', '--body-mib', '2', '--bodies', '2', '--slow', '2', '--slow-seconds', '1', '--max-import-seconds', '120', '--warm-up-seconds', '1', '--work', work], { cwd: ROOT })
    expect(stdout).toMatch(/\(a\) Query fuzzing: 60 requests in [\d.]+ s/)
    expect(stdout).toMatch(/\| GET \/api\/search \| (\d{3}: \d+(, )?)+ \|/)
    expect(stdout).toMatch(/\| 1,000 comparisons \| /)
    expect(stdout).toMatch(/\| 2 × 2 MiB chunked to POST \/api\/login \| .+ \| [\d.]+ \| [\d.]+ \|/)
    expect(stdout).toMatch(/Server RSS: \d+ MiB before, \d+ MiB peak, \d+ MiB after/)
    expect(stdout).toMatch(/\| no load \| 16 of 16 files \| [\d.]+ files\/s \|/)
    expect(stdout).toMatch(/\| 3 search clients \| \d+ of 16 files/)
    expect(JSON.parse(readFileSync(join(work, 'hostile-result.json'), 'utf8'))).toMatchObject({ cores: expect.any(Number), fuzz: { requests: 60, serverErrors: 0 }, importAlone: { done: 16 } })
  }, 300_000)

  it('runs the format-gate benchmark on ../shared/realworld and reports every input', async () => {
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/image-format.bench.ts'], { cwd: ROOT })
    expect(stdout).toMatch(/\| realworld\/aimeta \| \d+ \| [\d.]+ \| \d+ of \d+ \| \d+ of \d+ \|/)
    expect(stdout).toMatch(/\| realworld\/ocr \| \d+ \| [\d.]+ \| \d+ of \d+ \|/)
  })

  it('runs the AI-metadata benchmark on ../shared/realworld and the added sets and reports every set', async () => {
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/aimeta.bench.ts', '--runs', '1'], { cwd: ROOT })
    expect(stdout).toMatch(/realworld\/aimeta: \d+ files/)
    expect(stdout).toMatch(/aimeta-extra\/comfyui: \d+ files/)
    expect(stdout).toMatch(/fully right: \d+\/\d+\n {2}read time per file \(best of 1\): median [\d.]+ ms, slowest [\d.]+ ms/)
  })

  it('runs the re-parse benchmark on a small generated index and reports every step', async () => {
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/reparse.bench.ts', '--count', '2000'], { cwd: ROOT })
    expect(stdout).toMatch(/\| parseFilename alone \| 2000 \| — \| \d+ ms \| [\d,]+ \|/)
    expect(stdout).toMatch(/\| reparse, fields change \| 2000 \| \d+ \| [\d.]+ s \| [\d,]+ \|/)
    expect(stdout).toMatch(/\| reparse, nothing to change \| 2000 \| 0 \| [\d.]+ s \| [\d,]+ \|/)
  })

  it('runs the web UI benchmark on a small index in Chromium and reports every measure', async () => {
    const { stdout } = await run(process.execPath, ['bin/run-ts.mjs', 'bench/ui.bench.ts', '--count', '1000', '--runs', '1', '--scroll', '150', '--work', tempDir()], { cwd: ROOT })
    expect(stdout).toMatch(/\| Enter → first thumbnails painted \(median of 1 queries; worst\) \| \d+ ms; \d+ ms \|/)
    expect(stdout).toMatch(/\| scrolling through 150 results \| [\d.]+ fps/)
    expect(stdout).toMatch(/\| first-load JavaScript \(\d+ files\) \| \d+ kB gzipped/)
  })
})
