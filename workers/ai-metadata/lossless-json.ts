// JSON.parse rounds integers beyond 2^53, and ComfyUI seeds routinely go up to
// 2^64-1. Rewriting such integer literals as strings before parsing keeps
// their exact digits; the numeric helpers accept digit strings anyway.

const MAX_SAFE_DIGITS = 15

/** Parses JSON, keeping unsafe integers as strings. Malformed input gives undefined. */
export function parseJsonLossless(text: string): unknown {
  try {
    return JSON.parse(quoteUnsafeIntegers(text))
  } catch {
    return undefined
  }
}

/**
 * Wraps integer literals too large for a double in quotes. Scans token by
 * token so digits inside strings are left alone; malformed JSON passes
 * through unchanged and fails in JSON.parse as it would have anyway.
 */
export function quoteUnsafeIntegers(text: string): string {
  let out = ''
  let copiedUpTo = 0
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 0x22 /* " */) {
      i++
      while (i < n) {
        const s = text.charCodeAt(i)
        if (s === 0x5c /* \ */) i += 2
        else if (s === 0x22) { i++; break }
        else i++
      }
      continue
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i
      i++
      while (i < n && isNumberChar(text.charCodeAt(i))) i++
      const token = text.slice(start, i)
      const digits = token.startsWith('-') ? token.length - 1 : token.length
      if (digits > MAX_SAFE_DIGITS && /^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += text.slice(copiedUpTo, start) + '"' + token + '"'
        copiedUpTo = i
      }
      continue
    }
    i++
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo)
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d
}

/** Narrows an unknown JSON value to a plain object. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
