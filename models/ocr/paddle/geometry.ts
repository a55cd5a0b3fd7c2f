/** A point in pixels. */
export interface Point {
  x: number
  y: number
}

/**
 * A rotated rectangle as four corners: `[topLeft, topRight, bottomRight, bottomLeft]` as the text
 * reads them before any vertical rotation. `width` runs along p0→p1, `height` along p0→p3.
 */
export type Quad = readonly [Point, Point, Point, Point]

export function quadWidth(quad: Quad): number {
  return Math.hypot(quad[1].x - quad[0].x, quad[1].y - quad[0].y)
}

export function quadHeight(quad: Quad): number {
  return Math.hypot(quad[3].x - quad[0].x, quad[3].y - quad[0].y)
}

/** The axis-aligned bounds of a quad. */
export function quadBounds(quad: Quad): { x0: number; y0: number; x1: number; y1: number } {
  const xs = quad.map((point) => point.x)
  const ys = quad.map((point) => point.y)
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) }
}

/** Convex hull (Andrew's monotone chain), counter-clockwise in y-down coordinates' mirror; no collinear points. */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y)
  if (sorted.length <= 2) return sorted
  const cross = (o: Point, a: Point, b: Point): number => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
  const lower: Point[] = []
  for (const point of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, point) <= 0) lower.pop()
    lower.push(point)
  }
  const upper: Point[] = []
  for (let i = sorted.length - 1; i >= 0; i--) {
    const point = sorted[i]!
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, point) <= 0) upper.pop()
    upper.push(point)
  }
  lower.pop()
  upper.pop()
  return lower.concat(upper)
}

/** A rectangle by centre, side lengths and the direction of its `width` side (radians). */
export interface RotatedRect {
  cx: number
  cy: number
  width: number
  height: number
  angle: number
}

/**
 * The smallest-area rectangle around a convex hull (rotating calipers: one side of the optimum
 * lies on a hull edge). The angle is folded into (-45°, 45°] so that `width` is the side closer
 * to horizontal, which is what decides whether a box is a vertical column.
 */
export function minAreaRect(hull: readonly Point[]): RotatedRect {
  if (hull.length === 0) return { cx: 0, cy: 0, width: 0, height: 0, angle: 0 }
  let best: RotatedRect | null = null
  let bestArea = Infinity
  const edges = hull.length === 1 ? 1 : hull.length
  for (let i = 0; i < edges; i++) {
    const a = hull[i]!
    const b = hull[(i + 1) % hull.length]!
    const length = Math.hypot(b.x - a.x, b.y - a.y)
    const ux = length > 0 ? (b.x - a.x) / length : 1
    const uy = length > 0 ? (b.y - a.y) / length : 0
    let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity
    for (const point of hull) {
      const u = point.x * ux + point.y * uy
      const v = -point.x * uy + point.y * ux
      if (u < minU) minU = u
      if (u > maxU) maxU = u
      if (v < minV) minV = v
      if (v > maxV) maxV = v
    }
    const area = (maxU - minU) * (maxV - minV)
    if (area < bestArea - 1e-9) {
      bestArea = area
      const cu = (minU + maxU) / 2
      const cv = (minV + maxV) / 2
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, width: maxU - minU, height: maxV - minV, angle: Math.atan2(uy, ux) }
    }
  }
  return foldAngle(best!)
}

function foldAngle(rect: RotatedRect): RotatedRect {
  let { angle, width, height } = rect
  // Normalise into (-π/2, π/2], then swap sides until the width side is within 45° of horizontal.
  while (angle > Math.PI / 2) angle -= Math.PI
  while (angle <= -Math.PI / 2) angle += Math.PI
  if (angle > Math.PI / 4) {
    angle -= Math.PI / 2
    ;[width, height] = [height, width]
  } else if (angle <= -Math.PI / 4) {
    angle += Math.PI / 2
    ;[width, height] = [height, width]
  }
  return { ...rect, angle, width, height }
}

/** The corners of a rotated rectangle, in `Quad` order. */
export function rectToQuad(rect: RotatedRect): Quad {
  const ux = Math.cos(rect.angle), uy = Math.sin(rect.angle)
  const hx = (rect.width / 2) * ux, hy = (rect.width / 2) * uy
  const vx = -(rect.height / 2) * uy, vy = (rect.height / 2) * ux
  return [
    { x: rect.cx - hx - vx, y: rect.cy - hy - vy },
    { x: rect.cx + hx - vx, y: rect.cy + hy - vy },
    { x: rect.cx + hx + vx, y: rect.cy + hy + vy },
    { x: rect.cx - hx + vx, y: rect.cy - hy + vy },
  ]
}
