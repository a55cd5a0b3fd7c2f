import { statSync } from 'node:fs'

/**
 * A model that cannot be loaded: a missing or corrupt file, a layout the runtime does not know,
 * an input shape that does not match the layout, a download that failed. The message names the
 * file (or the model id) and what is wrong, and starts with the model kind: "CLIP disabled: …".
 */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError'
  constructor(
    readonly model: 'clip' | 'tagger' | 'ocr',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${MODEL_NAMES[model]} disabled: ${message}`, options)
  }
}

/**
 * "cannot load <file>: <why>" for a runtime's load failure. onnxruntime's own prefix ("Load model
 * from … failed:") is dropped, since the file is named already; running out of memory (std::bad_alloc,
 * a failed ArrayBuffer) says so and gives the file's size, since the bare text names nothing.
 */
export function cannotLoad(file: string, error: unknown): string {
  const reason = firstLine(error).replace(/^Load model from .*? failed:/, '')
  if (!OUT_OF_MEMORY.test(reason)) return `cannot load ${file}: ${reason}`
  let size = ''
  try {
    size = `, ${Math.round(statSync(file).size / 1024 / 1024)} MB`
  } catch {
    // The size only helps; the file is named either way.
  }
  return `cannot load ${file}${size}: not enough memory for this model (${reason})`
}

const OUT_OF_MEMORY = /bad_alloc|out of memory|allocation failed|cannot allocate memory|ENOMEM/i

const MODEL_NAMES = { clip: 'CLIP', tagger: 'Tagger', ocr: 'OCR' } as const

/** The first line of an error's message, for reasons shown on one line. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.trim().slice(0, 300)
}
