import type { AiMetadataWarning } from './ai-metadata-read'
import type { AiParameters } from './ai-parameters'
import { capUtf8 } from './cap-text'
import { toFiniteNumber, toSafeInteger, toSeed } from './numbers'

// A1111/Forge "parameters" text, as written into PNG tEXt and EXIF
// UserComment:
//
//   <prompt, possibly several lines>
//   Negative prompt: <negative, possibly several lines>
//   Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, Lora hashes: "a: 1, b: 2"
//
// Both the negative prompt and the settings line are optional.

// Same pair grammar as A1111's own parse_generation_parameters (`\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)`),
// so values quoted with json.dumps (which may contain commas and colons) stay whole. Walked pair by
// pair from the line start and each comma instead of searched for anywhere: as an unanchored
// regex, a long last line without a colon costs time quadratic in its length (40,000 characters
// took 2 s; a 16 MB comment would never end). Keys are bounded (A1111's longest are ~30 characters).
const KEY = /\s*(\w[\w \-/]{1,79}):\s*/y
const QUOTED = /"(?:\\.|[^\\"])+"/y

function* settingPairs(line: string): Generator<[string, string]> {
  let at = 0
  while (at < line.length) {
    KEY.lastIndex = at
    const key = KEY.exec(line)
    if (!key) {
      // Not a pair here; the grammar's next chance is after the next comma.
      const comma = line.indexOf(',', at)
      if (comma < 0) return
      at = comma + 1
      continue
    }
    const valueStart = KEY.lastIndex
    QUOTED.lastIndex = valueStart
    const quoted = line[valueStart] === '"' ? QUOTED.exec(line) : null
    if (quoted && (QUOTED.lastIndex === line.length || line[QUOTED.lastIndex] === ',')) {
      yield [key[1]!, quoted[0]]
      at = QUOTED.lastIndex + 1
      continue
    }
    const comma = line.indexOf(',', valueStart)
    const valueEnd = comma < 0 ? line.length : comma
    yield [key[1]!, line.slice(valueStart, valueEnd)]
    at = valueEnd + 1
  }
}

const NEGATIVE_PREFIX = 'Negative prompt:'

// Keys A1111 always writes; requiring one keeps a prompt line such as
// "cat:1.2, dog:1.1, bird:0.9" from being mistaken for settings. Compared in lower case: Comfy
// Image Saver writes "CFG Scale" where A1111 writes "CFG scale".
const SETTINGS_MARKERS = new Set(['steps', 'sampler', 'cfg scale', 'seed'])

// Settings every source can express get the same `extra` key everywhere (matched in lower case).
// A Map, not an object literal, so a key like "constructor" is not found on
// Object.prototype.
const NORMALISED_EXTRA = new Map([
  ['size', 'size'],
  ['model hash', 'modelHash'],
  ['schedule type', 'scheduler'],
])

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(value)
      if (typeof parsed === 'string') return parsed
    } catch {
      // Not valid JSON escaping; fall through and just drop the quotes.
    }
    return value.slice(1, -1)
  }
  return value
}

/** The key/value pairs of a settings line, or undefined if it is not one. */
export function parseSettingsLine(line: string): [string, string][] | undefined {
  const pairs: [string, string][] = []
  for (const [rawKey, value] of settingPairs(line)) {
    const key = rawKey.trim()
    if (key.length > 0) pairs.push([key, unquote(value.trim())])
  }
  const markers = pairs.filter(([k]) => SETTINGS_MARKERS.has(k.toLowerCase())).length
  const isSettings = pairs.some(([k]) => k.toLowerCase() === 'steps') || (markers >= 1 && pairs.length >= 2)
  return isSettings ? pairs : undefined
}

/**
 * Whether text ends in an A1111 settings line ("Steps: 20, Sampler: …, CFG scale: 7, Seed: …").
 * Only such text is A1111 output; a bare prompt or a JSON document is not.
 */
export function hasA1111Settings(text: string): boolean {
  const lines = text.replace(/\r\n?/g, '\n').trim().split('\n')
  return parseSettingsLine(lines[lines.length - 1]!) !== undefined
}

// Comfy Image Saver writes this A1111-style text itself, with "unknown" for a prompt input that is
// not wired to a text node, and marks it "Version: ComfyUI".
const PLACEHOLDER = 'unknown'

/** Parses A1111/Forge parameters text. Undefined only for blank input. */
export function parseA1111Parameters(text: string, warnings: AiMetadataWarning[] = []): AiParameters | undefined {
  const normalised = text.replace(/\r\n?/g, '\n').trim()
  if (normalised.length === 0) return undefined
  const lines = normalised.split('\n')

  const settings = parseSettingsLine(lines[lines.length - 1]!)
  if (settings) lines.pop()

  const promptLines: string[] = []
  const negativeLines: string[] = []
  let inNegative = false
  for (const line of lines) {
    if (!inNegative && line.startsWith(NEGATIVE_PREFIX)) {
      inNegative = true
      negativeLines.push(line.slice(NEGATIVE_PREFIX.length).trim())
    } else (inNegative ? negativeLines : promptLines).push(line)
  }

  const result: AiParameters = { source: 'a1111', prompt: promptLines.join('\n').trim(), raw: capUtf8(text) }
  if (inNegative) result.negativePrompt = negativeLines.join('\n').trim()

  const extra: Record<string, string> = {}
  for (const [key, value] of settings ?? []) {
    switch (key.toLowerCase()) {
      case 'steps': {
        const steps = toSafeInteger(value)
        if (steps !== undefined) result.steps = steps
        break
      }
      case 'cfg scale': {
        const cfg = toFiniteNumber(value)
        if (cfg !== undefined) result.cfg = cfg
        break
      }
      case 'seed': {
        const seed = toSeed(value)
        if (seed && 'seed' in seed) result.seed = seed.seed
        else if (seed) extra.seed = seed.seedText
        break
      }
      case 'sampler':
        if (value.length > 0) result.sampler = value
        break
      case 'model':
        if (value.length > 0) result.model = value
        break
      default:
        extra[NORMALISED_EXTRA.get(key.toLowerCase()) ?? key] = value
    }
  }
  if (Object.keys(extra).length > 0) result.extra = extra
  if (extra.Version === 'ComfyUI') {
    for (const key of ['prompt', 'negativePrompt'] as const) {
      if (result[key] === PLACEHOLDER) {
        warnings.push({ generator: 'a1111', field: key, reason: `Comfy Image Saver wrote "${PLACEHOLDER}": its ${key === 'prompt' ? 'prompt' : 'negative prompt'} input was not wired to a text` })
      }
    }
  }
  return result
}
