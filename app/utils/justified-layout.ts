// Justified rows for the results grid: every row fills the width, images keep their aspect ratio,
// and row heights stay near a target. Pure arithmetic over aspect ratios, so 10,000 results lay out
// in well under a frame and the grid can render only the rows in view.

export interface LayoutBox {
  /** Index into the items. */
  index: number
  left: number
  width: number
}

export interface LayoutRow {
  top: number
  height: number
  boxes: LayoutBox[]
}

export interface Layout {
  rows: LayoutRow[]
  height: number
}

export interface LayoutOptions {
  width: number
  targetHeight: number
  gap: number
  /** Aspect ratios beyond these are clamped, so a 1×4000 strip cannot make a row absurd. */
  minAspect?: number
  maxAspect?: number
}

/**
 * Lays out items (width / height ratios) in rows. A row closes when its images at the target
 * height would overflow the width; it is then scaled to fill the width exactly. The last row keeps
 * the target height (it is not stretched).
 *
 * @example
 * justifiedLayout([1, 1, 2], { width: 400, targetHeight: 100, gap: 0 }).rows.map((row) => row.boxes.length) // [3]
 */
export function justifiedLayout(aspects: readonly number[], options: LayoutOptions): Layout {
  const { width, targetHeight, gap, minAspect = 0.25, maxAspect = 4 } = options
  const rows: LayoutRow[] = []
  if (width <= 0) return { rows, height: 0 }
  let top = 0
  let start = 0
  let sum = 0
  const clamped = (i: number) => Math.min(maxAspect, Math.max(minAspect, Number.isFinite(aspects[i]!) && aspects[i]! > 0 ? aspects[i]! : 1))
  const close = (end: number, height: number) => {
    const boxes: LayoutBox[] = []
    let left = 0
    for (let i = start; i < end; i++) {
      const boxWidth = i === end - 1 && height !== targetHeight ? width - left : Math.round(clamped(i) * height)
      boxes.push({ index: i, left, width: Math.max(1, boxWidth) })
      left += boxWidth + gap
    }
    rows.push({ top, height, boxes })
    top += height + gap
  }
  for (let i = 0; i < aspects.length; i++) {
    sum += clamped(i)
    const count = i - start + 1
    const rowWidth = sum * targetHeight + gap * (count - 1)
    if (rowWidth >= width) {
      const height = Math.max(1, Math.round((width - gap * (count - 1)) / sum))
      close(i + 1, height)
      start = i + 1
      sum = 0
    }
  }
  if (start < aspects.length) close(aspects.length, targetHeight)
  return { rows, height: Math.max(0, top - gap) }
}

/**
 * The rows that intersect [from, to) (plus `overscan` rows either side), by binary search.
 *
 * @example
 * visibleRows(layout.rows, scrollTop, scrollTop + innerHeight, 2) // { first: 10, last: 16 }
 */
export function visibleRows(rows: readonly LayoutRow[], from: number, to: number, overscan = 0): { first: number; last: number } {
  if (rows.length === 0) return { first: 0, last: -1 }
  let low = 0
  let high = rows.length - 1
  while (low < high) {
    const mid = (low + high) >> 1
    const row = rows[mid]!
    if (row.top + row.height < from) low = mid + 1
    else high = mid
  }
  let last = low
  while (last + 1 < rows.length && rows[last + 1]!.top < to) last++
  return { first: Math.max(0, low - overscan), last: Math.min(rows.length - 1, last + overscan) }
}

/**
 * The item a keyboard arrow moves to: left/right step through the order, up/down go to the box in
 * the row above or below whose centre is nearest.
 *
 * @example
 * neighbour(layout, 5, 'ArrowDown') // the index below item 5, or 5 on the last row
 */
export function neighbour(layout: Layout, index: number, key: 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown', count: number): number {
  if (key === 'ArrowLeft') return Math.max(0, index - 1)
  if (key === 'ArrowRight') return Math.min(count - 1, index + 1)
  const rowIndex = layout.rows.findIndex((row) => row.boxes.some((box) => box.index === index))
  if (rowIndex < 0) return index
  const box = layout.rows[rowIndex]!.boxes.find((item) => item.index === index)!
  const target = layout.rows[rowIndex + (key === 'ArrowDown' ? 1 : -1)]
  if (!target) return index
  const centre = box.left + box.width / 2
  let best = target.boxes[0]!
  for (const candidate of target.boxes) {
    if (Math.abs(candidate.left + candidate.width / 2 - centre) < Math.abs(best.left + best.width / 2 - centre)) best = candidate
  }
  return best.index
}
