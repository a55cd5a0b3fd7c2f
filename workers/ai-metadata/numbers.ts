import type { AiParameters } from './ai-parameters'

// Metadata values arrive as strings (A1111 text) or as JSON numbers/strings
// (ComfyUI, NovelAI); these helpers accept both and refuse anything that is
// not cleanly numeric, so callers never store NaN or a half-parsed "7abc".

const INTEGER = /^[+-]?\d+$/
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/** A finite number from a number or numeric string, else undefined. */
export function toFiniteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value !== 'string') return undefined
  const trimmed = value.trim()
  if (!DECIMAL.test(trimmed)) return undefined
  const n = Number(trimmed)
  return Number.isFinite(n) ? n : undefined
}

/** A safe integer from a number or integer string, else undefined. */
export function toSafeInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined
  if (typeof value !== 'string') return undefined
  const trimmed = value.trim()
  if (!INTEGER.test(trimmed)) return undefined
  const n = Number(trimmed)
  return Number.isSafeInteger(n) ? n : undefined
}

/**
 * Seeds can exceed 2^53 (ComfyUI allows up to 2^64-1); a rounded number would
 * silently name a different seed, so those are kept as their decimal string.
 */
export type SeedValue = { seed: number } | { seedText: string } | undefined

export function toSeed(value: unknown): SeedValue {
  const safe = toSafeInteger(value)
  if (safe !== undefined) return { seed: safe }
  if (typeof value === 'string' && INTEGER.test(value.trim())) return { seedText: value.trim() }
  // A JSON number that already lost precision is still the best we have.
  if (typeof value === 'number' && Number.isInteger(value)) return { seedText: BigInt(value).toString() }
  return undefined
}

/**
 * Sets seed, steps and cfg on a result from loosely typed values, leaving out what does not parse;
 * a seed beyond 2^53 goes to `extra.seed` as its exact digits.
 */
export function assignSampling(
  result: AiParameters,
  extra: Record<string, string>,
  values: { seed?: unknown; steps?: unknown; cfg?: unknown },
): void {
  const seed = toSeed(values.seed)
  if (seed && 'seed' in seed) result.seed = seed.seed
  else if (seed) extra.seed = seed.seedText
  const steps = toSafeInteger(values.steps)
  if (steps !== undefined) result.steps = steps
  const cfg = toFiniteNumber(values.cfg)
  if (cfg !== undefined) result.cfg = cfg
}
