import { describe, expect, it } from 'vitest'
import { convexHull, minAreaRect, quadHeight, quadWidth, rectToQuad } from './geometry'

describe('minAreaRect', () => {
  it('finds the rotated rectangle around the points of a rotated rectangle', () => {
    const quad = rectToQuad({ cx: 50, cy: 40, width: 60, height: 20, angle: Math.PI / 8 })
    const inside = [...quad, { x: 50, y: 40 }, { x: 55, y: 42 }]
    const rect = minAreaRect(convexHull(inside))
    expect(rect.width).toBeCloseTo(60, 6)
    expect(rect.height).toBeCloseTo(20, 6)
    expect(rect.angle).toBeCloseTo(Math.PI / 8, 6)
    expect(rect.cx).toBeCloseTo(50, 6)
    expect(rect.cy).toBeCloseTo(40, 6)
  })

  it('keeps a tall column tall: the width side is the one nearer to horizontal', () => {
    const column = [{ x: 10, y: 0 }, { x: 30, y: 0 }, { x: 30, y: 100 }, { x: 10, y: 100 }]
    const quad = rectToQuad(minAreaRect(convexHull(column)))
    expect(quadWidth(quad)).toBeCloseTo(20, 6)
    expect(quadHeight(quad)).toBeCloseTo(100, 6)
    // Top-left first, clockwise on screen.
    expect(quad[0]).toEqual({ x: expect.closeTo(10, 6), y: expect.closeTo(0, 6) })
    expect(quad[2]).toEqual({ x: expect.closeTo(30, 6), y: expect.closeTo(100, 6) })
  })
})
