/**
 * The axis maximum and tick values for counts up to `max`: a "nice" step (1, 2 or 5 × 10^n) so
 * that about `ticks` lines divide the chart.
 *
 * @example
 * niceScale(87) // { max: 100, ticks: [0, 20, 40, 60, 80, 100] }
 */
export function niceScale(max: number, ticks = 5): { max: number; ticks: number[] } {
  if (!(max > 0)) return { max: 1, ticks: [0, 1] }
  const rough = max / ticks
  const power = 10 ** Math.floor(Math.log10(rough))
  // Counts are whole numbers: no step below 1.
  const step = Math.max(1, [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough)!)
  const top = Math.max(step, Math.ceil(max / step) * step)
  const values: number[] = []
  for (let value = 0; value <= top + step / 2; value += step) values.push(Math.round(value * 1e9) / 1e9)
  return { max: top, ticks: values }
}

/** Whole numbers the short way: 1234 → "1.2k", 2500000 → "2.5M". */
export function shortCount(value: number): string {
  if (value >= 1e6) return `${+(value / 1e6).toFixed(1)}M`
  if (value >= 1e4) return `${Math.round(value / 1e3)}k`
  if (value >= 1e3) return `${+(value / 1e3).toFixed(1)}k`
  return String(value)
}
