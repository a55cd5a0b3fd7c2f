import { describe, expect, it } from 'vitest'
import { detectionSize } from './detection-size'

const limits = { minLongSide: 640, maxLongSide: 960 }

describe('detectionSize', () => {
  it('shrinks a 20000×20000 image to the maximum, so the detector’s memory is bounded', () => {
    expect(detectionSize(20_000, 20_000, limits)).toEqual({ width: 960, height: 960 })
  })

  it('scales small crops up to the minimum and keeps sizes in between, in multiples of 32', () => {
    expect(detectionSize(100, 181, limits)).toEqual({ width: 352, height: 640 })
    expect(detectionSize(800, 450, limits)).toEqual({ width: 800, height: 448 })
    expect(detectionSize(4000, 10, limits)).toEqual({ width: 960, height: 32 })
  })
})
