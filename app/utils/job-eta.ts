/** Remaining time at the current rate, in the unit that reads best; undefined when it is unknown. */
export function etaOf(pending: number, rate: number): { unit: 'seconds' | 'minutes' | 'hours'; value: string } | undefined {
  if (!(pending > 0) || !(rate > 0)) return undefined
  const seconds = Math.round(pending / rate)
  if (seconds < 90) return { unit: 'seconds', value: String(Math.max(1, seconds)) }
  if (seconds < 5400) return { unit: 'minutes', value: String(Math.round(seconds / 60)) }
  return { unit: 'hours', value: (seconds / 3600).toFixed(1) }
}

/** Percent done, 100 when there was nothing to do. */
export function percentDone(done: number, pending: number): number {
  return done + pending > 0 ? (100 * done) / (done + pending) : 100
}
