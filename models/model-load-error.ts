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

const MODEL_NAMES = { clip: 'CLIP', tagger: 'Tagger', ocr: 'OCR' } as const

/** The first line of an error's message, for reasons shown on one line. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.trim().slice(0, 300)
}
