import { describe, expect, it } from 'vitest'
import { DEFAULT_DB_SETTINGS, dbBoxes } from './db-boxes'
import { quadBounds } from './geometry'

function map(width: number, height: number, regions: Array<{ x0: number; y0: number; x1: number; y1: number; p: number }>): Float32Array {
  const values = new Float32Array(width * height)
  for (const region of regions) {
    for (let y = region.y0; y < region.y1; y++) for (let x = region.x0; x < region.x1; x++) values[y * width + x] = region.p
  }
  return values
}

describe('dbBoxes', () => {
  it('turns each confident region into a box grown by area × 1.5 / perimeter and scaled to the image', () => {
    const probabilities = map(64, 32, [{ x0: 4, y0: 4, x1: 44, y1: 14, p: 0.9 }])
    const [box, ...rest] = dbBoxes(probabilities, 64, 32, 2, 3)
    expect(rest).toEqual([])
    // 40×10 region: offset = 400 × 1.5 / 100 = 6 on each side → 52×22, then ×2 and ×3.
    const bounds = quadBounds(box!.quad)
    expect(bounds.x0).toBeCloseTo((4 - 6) * 2, 6)
    expect(bounds.x1).toBeCloseTo((44 + 6) * 2, 6)
    expect(bounds.y0).toBeCloseTo((4 - 6) * 3, 6)
    expect(bounds.y1).toBeCloseTo((14 + 6) * 3, 6)
    expect(box!.score).toBeCloseTo(0.9, 6)
  })

  it('drops regions below the box threshold, thinner than 3 pixels, or under the pixel threshold', () => {
    const probabilities = map(64, 32, [
      { x0: 2, y0: 2, x1: 30, y1: 10, p: 0.5 }, // above 0.3, but mean under box_thresh 0.6
      { x0: 40, y0: 2, x1: 60, y1: 4, p: 0.95 }, // 2 px thin
      { x0: 2, y0: 20, x1: 30, y1: 30, p: 0.2 }, // not text
    ])
    expect(dbBoxes(probabilities, 64, 32, 1, 1)).toEqual([])
  })

  it('keeps regions that touch only diagonally together (8-connected) and separates the rest', () => {
    const probabilities = map(40, 40, [
      { x0: 2, y0: 2, x1: 12, y1: 12, p: 0.9 },
      { x0: 12, y0: 12, x1: 22, y1: 22, p: 0.9 },
      { x0: 30, y0: 2, x1: 38, y1: 10, p: 0.9 },
    ])
    expect(dbBoxes(probabilities, 40, 40, 1, 1, DEFAULT_DB_SETTINGS)).toHaveLength(2)
  })

  it('refuses a map shorter than its stated size', () => {
    expect(() => dbBoxes(new Float32Array(10), 4, 4, 1, 1)).toThrow(/10 values, expected 4×4/)
  })
})

describe('dbBoxes on vertical columns', () => {
  it('grows a region at least 1.5× taller than wide by the vertical unclip ratio', () => {
    const probabilities = map(32, 80, [{ x0: 10, y0: 10, x1: 20, y1: 70, p: 0.9 }])
    const [box] = dbBoxes(probabilities, 32, 80, 1, 1, { ...DEFAULT_DB_SETTINGS, unclipRatio: 1.5, verticalUnclipRatio: 1.2 })
    // 10×60: offset = 600 × 1.2 / 140.
    const offset = (600 * 1.2) / 140
    const bounds = quadBounds(box!.quad)
    expect(bounds.x0).toBeCloseTo(10 - offset, 6)
    expect(bounds.x1).toBeCloseTo(20 + offset, 6)
    expect(bounds.y0).toBeCloseTo(10 - offset, 6)
    expect(bounds.y1).toBeCloseTo(70 + offset, 6)
  })
})
