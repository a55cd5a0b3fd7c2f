import { UsageError } from './errors'

/** A whole number option within bounds, or a UsageError naming the option. */
export function parseCount(text: string, option: string, min: number, max: number): number {
  const value = Number(text)
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got "${text}"`)
  return value
}
