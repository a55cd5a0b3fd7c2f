import { isJsonObject } from './lossless-json'
import { toSafeInteger } from './numbers'

// Field access shared by the readers of JSON-shaped metadata (SwarmUI, Fooocus, InvokeAI, …): the
// documents come from untrusted files, so every value is checked for its type where it is used.

export type JsonObject = Record<string, unknown>

/** The first of `keys` that holds a string with more than whitespace. */
export function textField(obj: JsonObject, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = Object.hasOwn(obj, key) ? obj[key] : undefined
    if (typeof value === 'string' && value.trim().length > 0) return value
  }
  return undefined
}

/** The first of `keys` that holds a string, blank or not (a blank negative prompt is a value). */
export function stringField(obj: JsonObject, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = Object.hasOwn(obj, key) ? obj[key] : undefined
    if (typeof value === 'string') return value
  }
  return undefined
}

/** The first of `keys` present with a value other than null. */
export function valueField(obj: JsonObject, ...keys: string[]): unknown {
  for (const key of keys) {
    const value = Object.hasOwn(obj, key) ? obj[key] : undefined
    if (value !== undefined && value !== null) return value
  }
  return undefined
}

/** A nested object, or undefined. */
export function objectField(obj: JsonObject, key: string): JsonObject | undefined {
  const value = Object.hasOwn(obj, key) ? obj[key] : undefined
  return isJsonObject(value) ? value : undefined
}

/** `WxH` from two positive integers, or undefined. */
export function sizeText(width: unknown, height: unknown): string | undefined {
  const w = toSafeInteger(width)
  const h = toSafeInteger(height)
  return w !== undefined && h !== undefined && w > 0 && h > 0 ? `${w}x${h}` : undefined
}

/** `WxH` from text such as "1024 x 1024", "(768, 1280)" or "512x768". */
export function sizeFromText(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined
  const m = /^\s*\(?\s*(\d{1,6})\s*[x×,]\s*(\d{1,6})\s*\)?\s*$/i.exec(text)
  return m ? sizeText(m[1], m[2]) : undefined
}
