import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { autoGpu, deviceReport, onnxReason, openOnDevice, sessionOptionsFor, transformersOptionsFor } from './execution-device'
import { DEFAULT_RUNTIME_SETTINGS } from './runtime-settings'
import { loadTaggerModel } from './tagger-model'

const TINY_WD14 = 'test/fixtures/models/tiny-wd14'

describe('execution devices', () => {
  it('auto looks for the GPU onnxruntime-node ships for the platform, as transformers.js does', () => {
    expect(autoGpu('linux', 'x64')).toBe('cuda')
    expect(autoGpu('linux', 'arm64')).toBeUndefined()
    expect(autoGpu('win32', 'x64')).toBe('dml')
    expect(autoGpu('win32', 'arm64')).toBe('dml')
    expect(autoGpu('darwin', 'arm64')).toBeUndefined()
  })

  it('asks onnxruntime for the GPU provider first and the CPU after it; DirectML without memory patterns', () => {
    expect(sessionOptionsFor('cpu')).toEqual({ executionProviders: ['cpu'] })
    expect(sessionOptionsFor('cuda')).toEqual({ executionProviders: ['cuda', 'cpu'] })
    expect(sessionOptionsFor('dml')).toEqual({ executionProviders: ['dml', 'cpu'], enableMemPattern: false, executionMode: 'sequential' })
    expect(sessionOptionsFor('coreml')).toEqual({ executionProviders: ['coreml', 'cpu'] })
  })

  it('gives transformers.js the devices it knows in Node, and CoreML as session options', () => {
    expect(transformersOptionsFor('cuda')).toEqual({ device: 'cuda' })
    expect(transformersOptionsFor('dml')).toEqual({ device: 'dml' })
    expect(transformersOptionsFor('cpu')).toEqual({ device: 'cpu' })
    expect(transformersOptionsFor('coreml')).toEqual({ device: 'cpu', session_options: { executionProviders: ['coreml', 'cpu'] } })
  })

  it.runIf(process.platform === 'linux' && process.arch === 'x64')("keeps onnxruntime's reason without its source location", async () => {
    // A real failure: the TensorRT provider library is never installed here.
    const error = await ort.InferenceSession.create(`${TINY_WD14}/model.onnx`, { executionProviders: ['tensorrt'] }).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/^\/onnxruntime_src\/.*\[ONNXRuntimeError\] : 1 : FAIL : Failed to load library/)
    expect(onnxReason(error)).toMatch(/^Failed to load library libonnxruntime_providers_tensorrt\.so with error: .*No such file or directory$/)
  })

  it('cpu: the tagger loads and predicts on the CPU, records it, and logs no line', async () => {
    const lines: string[] = []
    const tagger = await loadTaggerModel(TINY_WD14, 'wd14', { ...DEFAULT_RUNTIME_SETTINGS, device: 'cpu' })
    try {
      expect(tagger.device).toBe('cpu')
      const [scores] = await tagger.predict([{ width: 448, height: 448, data: Buffer.alloc(448 * 448 * 3) }])
      expect(scores).toHaveLength(tagger.layout.tags.length)
      expect(deviceReport('tagger')).toEqual({ device: 'cpu', requested: 'cpu' })
    } finally {
      await tagger.release()
    }
    const opened = await openOnDevice('tagger', 'cpu', async (device) => device, (line) => lines.push(line))
    expect(opened).toEqual({ value: 'cpu', device: 'cpu' })
    expect(lines).toEqual([])
  })

  it('a failure on the CPU is the model\'s own: it rejects, with no device line', async () => {
    const lines: string[] = []
    const failing = openOnDevice('ocr', 'coreml', async (device) => {
      if (device === 'cpu') throw new Error('Protobuf parsing failed.')
      throw new Error('the GPU provider failed')
    }, (line) => lines.push(line))
    await expect(failing).rejects.toThrow('Protobuf parsing failed.')
    expect(lines).toEqual([])
  })
})
