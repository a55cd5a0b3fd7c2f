import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { ModelDevice } from '../config/schema'
import { firstLine, ModelLoadError } from './model-load-error'

/** A device that is not the CPU: each one an onnxruntime-node execution provider of the same name. */
export type GpuDevice = Exclude<ModelDevice, 'auto' | 'cpu'>
/** Where a model's sessions actually run. */
export type DeviceInUse = 'cpu' | GpuDevice
/** The models that run on onnxruntime (the tesseract OCR engine is WebAssembly, always on the CPU). */
export type DeviceModel = 'clip' | 'tagger' | 'ocr'

/** What the last load of a model in this process ran on, and why not on the device asked for. */
export interface DeviceReport {
  device: DeviceInUse
  /** `models.device` as configured. */
  requested: ModelDevice
  /** Why the model is on the CPU although a GPU was asked for (or `auto` looked for one). */
  fallback?: string
}

/**
 * The GPU `auto` tries: the one provider onnxruntime-node 1.21.0 ships for the platform and
 * transformers.js 3.8.1 also picks for its own `device: 'auto'` in Node (src/backends/onnx.js):
 * CUDA on Linux x64, DirectML on Windows. CoreML (macOS) is used only when named: the binding
 * passes it a flags number only (not the ML Program options Immich gives it), it may compute in
 * fp16 on the Neural Engine, and nobody has measured it with these models.
 */
export function autoGpu(platform: NodeJS.Platform = process.platform, arch: string = process.arch): GpuDevice | undefined {
  if (platform === 'linux' && arch === 'x64') return 'cuda'
  if (platform === 'win32') return 'dml'
  return undefined
}

/**
 * onnxruntime-node session options for a device: the GPU provider first, the CPU after it for the
 * operators the GPU provider lacks. DirectML cannot use memory patterns or parallel execution;
 * onnxruntime turns them off itself with a warning (inference_session.cc), asking first avoids it.
 */
export function sessionOptionsFor(device: DeviceInUse): { executionProviders: string[]; enableMemPattern?: boolean; executionMode?: 'sequential' } {
  if (device === 'cpu') return { executionProviders: ['cpu'] }
  if (device === 'dml') return { executionProviders: ['dml', 'cpu'], enableMemPattern: false, executionMode: 'sequential' }
  return { executionProviders: [device, 'cpu'] }
}

/**
 * transformers.js `from_pretrained` options for a device. In Node it accepts `cpu`, `cuda` (Linux
 * x64) and `dml` (Windows) and passes them on as the provider of the same name; `coreml` it
 * refuses ("Unsupported device"), so that one goes straight to onnxruntime as session options.
 */
export function transformersOptionsFor(device: DeviceInUse): { device: 'cpu' | 'cuda' | 'dml'; session_options?: { executionProviders: string[] } } {
  if (device === 'coreml') return { device: 'cpu', session_options: { executionProviders: ['coreml', 'cpu'] } }
  return { device }
}

const reports = new Map<DeviceModel, DeviceReport>()
const logged = new Set<string>()

/** The device each model ran on when it last loaded in this process (absent: not loaded yet). */
export function deviceReport(model: DeviceModel): DeviceReport | undefined {
  return reports.get(model)
}

/**
 * Opens a model's sessions on `models.device`: on the GPU when asked for (or, with `auto`, when
 * the platform has one) and onnxruntime-node can create the sessions there, else on the CPU. A GPU
 * that cannot be used — provider not installed, CUDA libraries missing, driver too old, out of GPU
 * memory — is never an error: the model opens on the CPU and one line says why. Only a failure on
 * the CPU (the model itself is bad) rejects, with that error.
 *
 * Unless the CPU was asked for, logs one line per model and process saying where it runs and, on
 * the CPU, why (a reload after an idle unload says nothing new, so nothing is printed again).
 *
 * @example
 * const { value: session, device } = await openOnDevice('tagger', config.models.device, (device) =>
 *   ort.InferenceSession.create(file, sessionOptionsFor(device)))
 */
export async function openOnDevice<T>(
  model: DeviceModel,
  requested: ModelDevice,
  open: (device: DeviceInUse) => Promise<T>,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<{ value: T; device: DeviceInUse }> {
  const gpu = requested === 'auto' ? autoGpu() : requested === 'cpu' ? undefined : requested
  if (!gpu) {
    const value = await open('cpu')
    if (requested === 'cpu') {
      reports.set(model, { device: 'cpu', requested })
      return { value, device: 'cpu' }
    }
    const fallback = `onnxruntime-node has no GPU provider that auto picks on ${process.platform}/${process.arch}`
    report(model, { device: 'cpu', requested, fallback }, `${model}: models.device auto: ${fallback} — running on the CPU`, log)
    return { value, device: 'cpu' }
  }
  let reason = await providerMissing(gpu)
  if (!reason) {
    try {
      const value = await open(gpu)
      report(model, { device: gpu, requested }, `${model}: running on ${gpu} (models.device: ${requested})`, log)
      return { value, device: gpu }
    } catch (error) {
      reason = onnxReason(error)
    }
  }
  // A failure here is the model's own (a corrupt file, too little memory): it rejects as it would on a CPU-only machine.
  const value = await open('cpu')
  report(model, { device: 'cpu', requested, fallback: `${gpu} unavailable: ${reason}` }, `${model}: device ${gpu} unavailable (${reason}) — running on the CPU`, log)
  return { value, device: 'cpu' }
}

function report(model: DeviceModel, value: DeviceReport, line: string, log: (line: string) => void): void {
  reports.set(model, value)
  const key = `${model}\n${line}`
  if (logged.has(key)) return
  logged.add(key)
  log(line)
}

/**
 * Why onnxruntime-node cannot even try the provider, before a session is attempted:
 * onnxruntime-common silently drops a provider its binding was not built with (and runs on the
 * CPU with a console warning), and the CUDA provider library is an opt-in download.
 */
async function providerMissing(gpu: GpuDevice): Promise<string | undefined> {
  const ort = await import('onnxruntime-node')
  const backends = ort.listSupportedBackends().map((backend) => backend.name)
  if (!backends.includes(gpu)) {
    return `onnxruntime-node ${ort.env.versions.node ?? ''} for ${process.platform}/${process.arch} has no ${gpu} provider, only ${backends.join(', ')}`
  }
  if (gpu === 'cuda') {
    const folder = bindingFolder()
    if (folder && !existsSync(join(folder, 'libonnxruntime_providers_cuda.so'))) {
      return `libonnxruntime_providers_cuda.so is not in ${folder}; install onnxruntime-node's CUDA binaries: ` +
        'ONNXRUNTIME_NODE_INSTALL_CUDA=v12 node node_modules/onnxruntime-node/script/install.js, then npm run build; see docs/models.md#gpu'
    }
  }
  return undefined
}

/** The folder onnxruntime-node loads its native binding and provider libraries from. */
function bindingFolder(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node')
    return join(dirname(entry), '..', 'bin', 'napi-v3', process.platform, process.arch)
  } catch {
    return undefined
  }
}

/**
 * onnxruntime's message without its source location: "/onnxruntime_src/…/provider_bridge_ort.cc:1695
 * onnxruntime::Provider& …::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library …" keeps
 * "Failed to load library …". A ModelLoadError from a loader gives its cause's message.
 */
export function onnxReason(error: unknown): string {
  const inner = error instanceof ModelLoadError && error.cause !== undefined ? error.cause : error
  const message = inner instanceof Error ? inner.message : String(inner)
  return firstLine(message.replace(/^[^\n]*?\[ONNXRuntimeError\] : \d+ : \w+ : /, ''))
}
