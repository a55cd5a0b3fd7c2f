/**
 * The size the detector runs at: the image's own size with its longest side brought into
 * [`minLongSide`, `maxLongSide`] (small crops are scaled up, large images down), each side
 * rounded to a multiple of 32 (DB's strides), at least 32. Whatever the image's size, the
 * detector's buffers stay within `maxLongSide`² pixels.
 */
export function detectionSize(width: number, height: number, limits: { minLongSide: number; maxLongSide: number }): { width: number; height: number } {
  const longSide = Math.max(width, height)
  const target = Math.min(limits.maxLongSide, Math.max(limits.minLongSide, longSide))
  const ratio = target / longSide
  const round = (side: number): number => Math.max(32, Math.round((side * ratio) / 32) * 32)
  return { width: round(width), height: round(height) }
}
