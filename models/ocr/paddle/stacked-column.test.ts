import { describe, expect, it } from 'vitest'
import type { Quad } from './geometry'
import type { Raster } from './raster'
import { stackColumn } from './stacked-column'

/**
 * A white column 40 px wide with glyph-like shapes 30 px wide at the given row ranges: hollow
 * squares (a frame 3 px thick), or a bar when the range is thinner than 8 px.
 */
function column(height: number, blocks: Array<[number, number]>): Raster {
  const width = 40
  const data = new Uint8Array(width * height * 3).fill(255)
  const ink = (x: number, y: number): void => { data.fill(0, (y * width + x) * 3, (y * width + x + 1) * 3) }
  for (const [y0, y1] of blocks) {
    for (let y = y0; y < y1; y++) {
      for (let x = 5; x < 35; x++) if (y1 - y0 < 8 || y < y0 + 3 || y >= y1 - 3 || x < 8 || x >= 32) ink(x, y)
    }
  }
  return { data, width, height, channels: 3 }
}
const quad = (height: number): Quad => [{ x: 0, y: 0 }, { x: 40, y: 0 }, { x: 40, y: height }, { x: 0, y: height }]

/** Runs of columns holding ink (first plane below 0, i.e. darker than mid-grey). */
function inkRuns(crop: { tensor: Float32Array; width: number; height: number }): number {
  let runs = 0
  let inside = false
  for (let x = 0; x < crop.width; x++) {
    let ink = false
    for (let y = 0; y < crop.height; y++) if (crop.tensor[y * crop.width + x]! < 0) ink = true
    if (ink && !inside) runs++
    inside = ink
  }
  return runs
}

describe('stackColumn', () => {
  it('lays the characters of a column side by side, upright, 48 px high', () => {
    const crop = stackColumn(column(130, [[5, 35], [50, 80], [95, 125]]), quad(130), 48, 2000)
    expect(crop.height).toBe(48)
    expect(inkRuns(crop)).toBe(3)
    expect(crop.width).toBeLessThan(3 * 60)
  })

  it('keeps the pieces of one character together (二: two strokes within a character’s height)', () => {
    const crop = stackColumn(column(100, [[5, 10], [28, 33], [60, 90]]), quad(100), 48, 2000)
    // Two cells: the two strokes, then the block; within the first cell the strokes lie one above the other.
    expect(inkRuns(crop)).toBe(2)
  })

  it('pads with the paper colour, so a blank column stays blank', () => {
    const crop = stackColumn(column(100, []), quad(100), 48, 2000)
    expect(Math.min(...crop.tensor)).toBeCloseTo(1, 5)
  })
})
