import { describe, expect, it } from 'vitest'
import type { Quad } from './geometry'
import { cropLine } from './line-crop'
import type { Raster } from './raster'

/** A white 20×60 image with a black 20×10 band at its top. */
function column(): Raster {
  const width = 20, height = 60
  const data = new Uint8Array(width * height * 3).fill(255)
  for (let y = 0; y < 10; y++) data.fill(0, y * width * 3, (y + 1) * width * 3)
  return { data, width, height, channels: 3 }
}
const whole: Quad = [{ x: 0, y: 0 }, { x: 20, y: 0 }, { x: 20, y: 60 }, { x: 0, y: 60 }]

/** Mean of the first plane over columns [x0, x1). */
function meanOfColumns(crop: { tensor: Float32Array; width: number; height: number }, x0: number, x1: number): number {
  let sum = 0
  for (let y = 0; y < crop.height; y++) for (let x = x0; x < x1; x++) sum += crop.tensor[y * crop.width + x]!
  return sum / (crop.height * (x1 - x0))
}

describe('cropLine', () => {
  it('turns a vertical crop counter-clockwise: the column’s top ends up on the left, 48 px high', () => {
    const crop = cropLine(column(), whole, true, 48, 1000)
    expect(crop.height).toBe(48)
    expect(crop.width).toBe(144) // 60 long side over a 20 px column, at 48 px
    expect(meanOfColumns(crop, 0, 20)).toBeCloseTo(-1, 1) // black, normalised
    expect(meanOfColumns(crop, 40, 144)).toBeCloseTo(1, 5) // white
  })

  it('keeps a horizontal crop as it is, normalised to [-1, 1] in B, G, R planes', () => {
    const image: Raster = { data: new Uint8Array([255, 0, 0, 255, 0, 0]), width: 2, height: 1, channels: 3 }
    const crop = cropLine(image, [{ x: 0, y: 0 }, { x: 2, y: 0 }, { x: 2, y: 1 }, { x: 0, y: 1 }], false, 4, 100)
    expect(crop.width).toBe(8)
    const plane = crop.width * crop.height
    expect(crop.tensor[0]).toBeCloseTo(-1, 5) // blue
    expect(crop.tensor[2 * plane]).toBeCloseTo(1, 5) // red
  })

  it('caps the width of a very long line', () => {
    const image: Raster = { data: new Uint8Array(3 * 4000).fill(128), width: 4000, height: 1, channels: 3 }
    expect(cropLine(image, [{ x: 0, y: 0 }, { x: 4000, y: 0 }, { x: 4000, y: 1 }, { x: 0, y: 1 }], false, 48, 960).width).toBe(960)
  })
})
