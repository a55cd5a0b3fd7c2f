/**
 * `models.device` on this machine (no GPU, onnxruntime-node's CUDA binaries not installed, as this
 * project installs it): `cuda` and `auto` run the tagger, CLIP and the paddle OCR sessions on the
 * CPU with exactly one line per model saying why; `cpu` says nothing; `dml` (not in the Linux
 * binding) names what the binding has; the device in use is in GET /api/health and GET /api/settings;
 * a bad value is a configuration error naming the key. And a model too big for the memory the
 * process may use fails at load naming its file, without crashing the import.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DataType, encodeModel, floatTensor } from '../scripts/onnx/onnx-writer'
import type { HealthReport, ImportCounts, SearchPage, StageProgress } from '../shared/types/api'
import type { SettingsReport } from '../shared/types/settings'
import { ROOT, runCli, runCliJson } from './helpers/cli'
import { tempDir, writeConfig, writeImage } from './helpers/library'
import { ocrModelFolder } from './helpers/ocr-models'
import { eventually, startServer, type RunningServer } from './helpers/server'

const MODELS = join(ROOT, 'test/fixtures/models')
const BINDING = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v3', process.platform, process.arch)
const LINUX_X64 = process.platform === 'linux' && process.arch === 'x64'
// On a machine where someone installed the CUDA binaries (and may have a GPU) `cuda` may work: these tests are about the fallback.
const CUDA_INSTALLED = existsSync(join(BINDING, 'libonnxruntime_providers_cuda.so'))
const skipReason = CUDA_INSTALLED ? `skipped: ${join(BINDING, 'libonnxruntime_providers_cuda.so')} is installed, so cuda may really work here` : null
if (skipReason) console.warn(skipReason)

type WaitedImport = ImportCounts & { stages: StageProgress[] }

/** The device lines of a run, by model: `tagger: device cuda unavailable (…) — running on the CPU`. */
function deviceLines(stderr: string): Array<{ model: string; line: string }> {
  return stderr.split('\n').filter((line) => /^(tagger|clip|ocr): (device |models\.device |running on )/.test(line)).map((line) => ({ model: line.split(':')[0]!, line }))
}

async function makeLibrary(library: string): Promise<void> {
  await writeImage(join(library, 'red.png'), { color: '#ff0000' })
  await writeImage(join(library, 'blue.png'), { color: '#0000ff' })
}

function config(dir: string, library: string, models: Record<string, unknown>): string {
  return writeConfig(dir, {
    dataDir: join(dir, 'data'),
    folders: [{ name: 'lib', path: library }],
    watch: { enabled: true, rescanMinutes: 0 },
    models: {
      clip: { path: join(MODELS, 'tiny-clip') },
      tagger: { path: join(MODELS, 'tiny-wd14') },
      ocr: { enabled: false },
      hubUrl: 'http://127.0.0.1:9',
      hubTimeoutSeconds: 1,
      ...models,
    },
  })
}

describe.skipIf(CUDA_INSTALLED)('models.device without a usable GPU (CLI import --wait)', () => {
  it('cuda: the tagger, CLIP and the paddle OCR run on the CPU, each with one line saying why', async () => {
    const dir = tempDir('sagasu-device-cuda-')
    await makeLibrary(join(dir, 'library'))
    const file = config(dir, join(dir, 'library'), { device: 'cuda', ocr: { enabled: true, model: { path: ocrModelFolder() } } })
    const { code, body, stderr } = await runCliJson<WaitedImport>(['--config', file, 'import', '--wait'])
    expect(code, stderr).toBe(0)
    expect(body.stages.map((stage) => [stage.stage, stage.state, stage.processed, stage.failed])).toEqual([['tag', 'idle', 2, 0], ['embed', 'idle', 2, 0], ['ocr', 'idle', 2, 0]])
    const lines = deviceLines(stderr)
    // The OCR engine opens two sessions (detector, recogniser): still one line.
    expect(lines.map(({ model }) => model).sort(), stderr).toEqual(['clip', 'ocr', 'tagger'])
    for (const { line } of lines) {
      expect(line).toMatch(/^(tagger|clip|ocr): device cuda unavailable \(.+\) — running on the CPU$/)
      if (LINUX_X64) expect(line).toContain(`libonnxruntime_providers_cuda.so is not in ${BINDING}; install onnxruntime-node's CUDA binaries: ONNXRUNTIME_NODE_INSTALL_CUDA=v12`)
    }
    // The tags are the CPU's: the fixture tagger finds each colour.
    const red = await runCliJson<SearchPage>(['--config', file, 'search', '--query', 'tags.red;>=0.5'])
    expect(red.body.results.map((image) => image.path)).toEqual(['red.png'])
  })

  it('auto (the default): the same fallback, one line per model', async () => {
    const dir = tempDir('sagasu-device-auto-')
    await makeLibrary(join(dir, 'library'))
    const { code, body, stderr } = await runCliJson<WaitedImport>(['--config', config(dir, join(dir, 'library'), {}), 'import', '--wait'])
    expect(code, stderr).toBe(0)
    expect(body.stages.map((stage) => [stage.stage, stage.processed])).toEqual([['tag', 2], ['embed', 2]])
    const lines = deviceLines(stderr)
    expect(lines.map(({ model }) => model).sort(), stderr).toEqual(['clip', 'tagger'])
    for (const { line } of lines) {
      expect(line).toMatch(LINUX_X64 ? /: device cuda unavailable \(libonnxruntime_providers_cuda\.so is not in .+\) — running on the CPU$/ : / — running on the CPU$/)
    }
  })

  it('cpu: runs on the CPU and says nothing about devices', async () => {
    const dir = tempDir('sagasu-device-cpu-')
    await makeLibrary(join(dir, 'library'))
    const { code, body, stderr } = await runCliJson<WaitedImport>(['--config', config(dir, join(dir, 'library'), { device: 'cpu' }), 'import', '--wait'])
    expect(code, stderr).toBe(0)
    expect(body.stages.map((stage) => [stage.stage, stage.processed, stage.failed])).toEqual([['tag', 2, 0], ['embed', 2, 0]])
    expect(deviceLines(stderr), stderr).toEqual([])
  })

  it.runIf(LINUX_X64)('dml, which the Linux binding lacks: the CPU, with a line naming the providers it has', async () => {
    const dir = tempDir('sagasu-device-dml-')
    await makeLibrary(join(dir, 'library'))
    const { code, body, stderr } = await runCliJson<WaitedImport>(['--config', config(dir, join(dir, 'library'), { device: 'dml', clip: { enabled: false } }), 'import', '--wait'])
    expect(code, stderr).toBe(0)
    expect(body.stages.map((stage) => [stage.stage, stage.processed])).toEqual([['tag', 2]])
    expect(deviceLines(stderr).map(({ line }) => line)).toEqual(['tagger: device dml unavailable (onnxruntime-node 1.21.0 for linux/x64 has no dml provider, only cpu, cuda, tensorrt) — running on the CPU'])
    // onnxruntime-common's own warning when it drops a provider must not appear: the provider is never asked for.
    expect(stderr).not.toMatch(/removing requested execution provider/)
  })
})

describe.skipIf(CUDA_INSTALLED)('the device in use in the server reports', () => {
  let server: RunningServer
  const dir = tempDir('sagasu-device-server-')

  beforeAll(async () => {
    await makeLibrary(join(dir, 'library'))
    const file = config(dir, join(dir, 'library'), { device: 'cuda', clip: { enabled: false } })
    server = await startServer(['--config', file], { env: { SAGASU_MODELS: 'tagger' } })
  })
  afterAll(() => server?.stop())

  it('GET /api/health and GET /api/settings give the device each model runs on, and why not the GPU', async () => {
    const health = await eventually(async () => {
      const report = await (await fetch(`${server.url}/api/health`)).json() as HealthReport
      return report.capabilities.taggerDevice ? report : undefined
    }, 60_000, () => `the tagger to load:\n${server.output()}`)
    expect(health.capabilities.taggerDevice).toBe('cpu')
    expect(health.capabilities.taggerDeviceReason).toMatch(/^cuda unavailable: .+/)
    if (LINUX_X64) expect(health.capabilities.taggerDeviceReason).toContain('libonnxruntime_providers_cuda.so is not in')
    // CLIP is off: never loaded, so no device for it.
    expect(health.capabilities).not.toHaveProperty('clipDevice')
    const settings = await (await fetch(`${server.url}/api/settings`)).json() as SettingsReport
    expect(settings.models.tagger.device).toBe('cpu')
    expect(settings.models.clip.device).toBeNull()
    expect(server.output().match(/tagger: device cuda unavailable/g), server.output()).toHaveLength(1)
  })
})

describe('models.device validation', () => {
  it('a device that is not one of the names is a configuration error naming the key', async () => {
    const dir = tempDir('sagasu-device-bad-')
    const file = writeConfig(dir, { dataDir: join(dir, 'data'), folders: [], models: { device: 'gpu' as 'cuda' } })
    const { code, stderr } = await runCli(['--config', file, 'stats'])
    expect(code).not.toBe(0)
    expect(stderr).toContain('models.device: Invalid option: expected one of "auto"|"cpu"|"cuda"|"dml"|"coreml"')
  })
})

/**
 * A tagger of the WD14 layout whose graph also sums one large weight tensor (`mb` MB of float
 * ones): it loads and runs like the fixture tagger, and needs about twice its size to load.
 */
function writeLargeTagger(folder: string, mb: number): string {
  const n = (mb * 1024 * 1024) / 4
  const tags = ['general', 'sensitive', 'questionable', 'explicit', 'red']
  const model = encodeModel({
    name: 'large_tagger',
    inputs: [{ name: 'input', elemType: DataType.FLOAT, shape: ['batch', 448, 448, 3] }],
    outputs: [{ name: 'output', elemType: DataType.FLOAT, shape: ['batch', tags.length] }],
    initializers: [{ name: 'large', dims: [n], dataType: DataType.FLOAT, raw: new Uint8Array(n * 4).fill(0) }, floatTensor('weights', [3, tags.length], new Array(3 * tags.length).fill(0.001))],
    nodes: [
      { op: 'ReduceMean', inputs: ['input'], outputs: ['means'], attrs: { axes: [1, 2], keepdims: 0 } },
      { op: 'MatMul', inputs: ['means', 'weights'], outputs: ['logits'] },
      { op: 'ReduceSum', inputs: ['large'], outputs: ['zero'], attrs: { keepdims: 1 } },
      { op: 'Add', inputs: ['logits', 'zero'], outputs: ['output'] },
    ],
  })
  const file = join(folder, 'model.onnx')
  writeFileSync(file, model)
  writeFileSync(join(folder, 'selected_tags.csv'), `tag_id,name,category,count\n${tags.map((tag, i) => `${i + 1},${tag},${i < 4 ? 9 : 0},100`).join('\n')}\n`)
  return file
}

describe('a model too big for the memory the process may use', () => {
  const dir = tempDir('sagasu-device-memory-')
  const large = join(dir, 'large-tagger')
  // `ulimit -d` (RLIMIT_DATA) caps what the process may allocate; RLIMIT_AS would also refuse the
  // address space WebAssembly reserves (tsx's module lexer), so Node could not start at all.
  const LIMIT_MB = 768
  const limited = ['bash', '-c', `ulimit -d ${LIMIT_MB * 1024} && exec "$0" "$@"`, process.execPath]

  beforeAll(async () => {
    await makeLibrary(join(dir, 'library'))
    mkdirSync(large)
    writeLargeTagger(large, 512)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('the fixture tagger loads under the same limit (the limit leaves room for Sagasu itself)', async () => {
    const file = config(dir, join(dir, 'library'), { device: 'cpu', clip: { enabled: false } })
    const { code, body, stderr } = await runCliJson<WaitedImport>(['--config', file, 'import', '--wait'], { command: limited })
    expect(code, stderr).toBe(0)
    expect(body.stages.map((stage) => [stage.stage, stage.state, stage.processed])).toEqual([['tag', 'idle', 2]])
  })

  it('a 512 MB tagger fails at load naming its file and size; the import goes on and exits normally', async () => {
    const sub = join(dir, 'large-run')
    mkdirSync(sub)
    const file = config(sub, join(dir, 'library'), { device: 'cpu', clip: { enabled: false }, tagger: { path: large } })
    const { code, body, stderr } = await runCliJson<WaitedImport>(['--config', file, 'import', '--wait'], { command: limited })
    expect(code, stderr).toBe(0)
    expect(body.added).toBe(2)
    const [tag] = body.stages
    expect(tag).toMatchObject({ stage: 'tag', state: 'disabled', processed: 0 })
    expect(tag!.reason).toBe(`Tagger disabled: cannot load ${join(large, 'model.onnx')}, 512 MB: not enough memory for this model (std::bad_alloc)`)
    expect(stderr).not.toMatch(/terminate called|Aborted|FATAL/)
  })
})
