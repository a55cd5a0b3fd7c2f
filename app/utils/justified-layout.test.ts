import { describe, expect, it } from 'vitest'
import { justifiedLayout, neighbour, visibleRows } from './justified-layout'

describe('justified layout', () => {
  const aspects = Array.from({ length: 1000 }, (_, i) => [0.7, 1, 1.5, 0.5, 2][i % 5]!)
  const layout = justifiedLayout(aspects, { width: 1000, targetHeight: 200, gap: 4 })

  it('places every item once, in order, filling each full row to the width', () => {
    const indexes = layout.rows.flatMap((row) => row.boxes.map((box) => box.index))
    expect(indexes).toEqual(aspects.map((_, i) => i))
    for (const row of layout.rows.slice(0, -1)) {
      const last = row.boxes[row.boxes.length - 1]!
      expect(last.left + last.width).toBe(1000)
      expect(row.height).toBeLessThanOrEqual(200)
    }
  })

  it('stacks rows without overlap and reports the total height', () => {
    for (let i = 1; i < layout.rows.length; i++) expect(layout.rows[i]!.top).toBe(layout.rows[i - 1]!.top + layout.rows[i - 1]!.height + 4)
    const last = layout.rows[layout.rows.length - 1]!
    expect(layout.height).toBe(last.top + last.height)
  })

  it('finds the rows in a window by binary search', () => {
    const { first, last } = visibleRows(layout.rows, 5000, 5800)
    expect(layout.rows[first]!.top + layout.rows[first]!.height).toBeGreaterThanOrEqual(5000)
    expect(first === 0 || layout.rows[first - 1]!.top + layout.rows[first - 1]!.height < 5000).toBe(true)
    expect(layout.rows[last]!.top).toBeLessThan(5800)
    expect(last + 1 >= layout.rows.length || layout.rows[last + 1]!.top >= 5800).toBe(true)
    expect(visibleRows([], 0, 100)).toEqual({ first: 0, last: -1 })
  })

  it('moves the keyboard focus along and across rows', () => {
    const second = layout.rows[1]!.boxes[0]!.index
    expect(neighbour(layout, 0, 'ArrowDown', aspects.length)).toBe(second)
    expect(neighbour(layout, second, 'ArrowUp', aspects.length)).toBe(0)
    expect(neighbour(layout, 0, 'ArrowLeft', aspects.length)).toBe(0)
    expect(neighbour(layout, 999, 'ArrowRight', aspects.length)).toBe(999)
    expect(neighbour(layout, 999, 'ArrowDown', aspects.length)).toBe(999)
  })

  it('survives odd input: no width, zero or huge aspect ratios', () => {
    expect(justifiedLayout([1, 2], { width: 0, targetHeight: 100, gap: 0 }).rows).toEqual([])
    const odd = justifiedLayout([0, Number.NaN, 10_000, 1], { width: 300, targetHeight: 100, gap: 2 })
    expect(odd.rows.flatMap((row) => row.boxes).every((box) => box.width >= 1 && Number.isFinite(box.width))).toBe(true)
  })
})
