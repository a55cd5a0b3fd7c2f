import { convexHull, minAreaRect, rectToQuad, type Point, type Quad } from './geometry'

/** DB post-processing settings, PaddleOCR's names and defaults (tools/infer/utility.py, det_db_*). */
export interface DbSettings {
  /** A pixel of the probability map above this is text. */
  threshold: number
  /** A region whose mean probability is below this is dropped. */
  boxThreshold: number
  /** The box grows by area × ratio / perimeter on every side (DB shrinks its targets when training). */
  unclipRatio: number
  /**
   * The unclip ratio for regions at least 1.5× taller than wide. Manga columns sit closer together
   * than printed rows: at 1.5 neighbouring columns of two bubbles merge (whole manga pages 68 %
   * findable, 76 % at 1.2), and horizontal game text needs 1.5 (60 % findable, 41 % at 1.2).
   */
  verticalUnclipRatio: number
  /** At most this many regions, largest first, so a noise-filled map stays cheap. */
  maxCandidates: number
}

export const DEFAULT_DB_SETTINGS: DbSettings = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, verticalUnclipRatio: 1.2, maxCandidates: 1000 }

/** PaddleOCR's `min_size`: a region thinner than this (in map pixels) is noise. */
const MIN_SIDE = 3

export interface DetectedBox {
  quad: Quad
  /** Mean probability over the region. */
  score: number
}

/**
 * The text boxes in a DB probability map (`width`×`height`, row-major): pixels above the threshold
 * grouped into 8-connected regions, each region's minimum-area rectangle scored, grown ("unclip")
 * and scaled to the image by `scaleX`/`scaleY`. For a rectangle the unclip offset of PaddleOCR
 * (a pyclipper round offset by area × ratio / perimeter) has exactly the rectangle grown by that
 * distance on each side as its minimum-area box, so no polygon clipper is needed.
 */
export function dbBoxes(map: Float32Array, width: number, height: number, scaleX: number, scaleY: number, settings: DbSettings = DEFAULT_DB_SETTINGS): DetectedBox[] {
  if (map.length < width * height) throw new Error(`the probability map has ${map.length} values, expected ${width}×${height}`)
  const labels = new Int32Array(width * height)
  const stack = new Int32Array(width * height)
  const regions: Array<{ hull: Point[]; score: number; pixels: number }> = []
  let label = 0
  for (let start = 0; start < width * height; start++) {
    if (labels[start] !== 0 || !(map[start]! > settings.threshold)) continue
    label++
    labels[start] = label
    let top = 0
    stack[top++] = start
    let sum = 0, pixels = 0
    // Per row: the leftmost and rightmost pixel, enough for the convex hull.
    const rowMin = new Map<number, number>()
    const rowMax = new Map<number, number>()
    while (top > 0) {
      const index = stack[--top]!
      const y = (index / width) | 0
      const x = index - y * width
      sum += map[index]!
      pixels++
      const low = rowMin.get(y)
      if (low === undefined || x < low) rowMin.set(y, x)
      const high = rowMax.get(y)
      if (high === undefined || x > high) rowMax.set(y, x)
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy
        if (ny < 0 || ny >= height) continue
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx
          if (nx < 0 || nx >= width || (dx === 0 && dy === 0)) continue
          const next = ny * width + nx
          if (labels[next] === 0 && map[next]! > settings.threshold) {
            labels[next] = label
            stack[top++] = next
          }
        }
      }
    }
    const corners: Point[] = []
    for (const [y, low] of rowMin) {
      const high = rowMax.get(y)!
      corners.push({ x: low, y }, { x: high + 1, y }, { x: low, y: y + 1 }, { x: high + 1, y: y + 1 })
    }
    regions.push({ hull: convexHull(corners), score: sum / pixels, pixels })
  }
  regions.sort((a, b) => b.pixels - a.pixels)
  const boxes: DetectedBox[] = []
  for (const region of regions.slice(0, settings.maxCandidates)) {
    const rect = minAreaRect(region.hull)
    if (Math.min(rect.width, rect.height) < MIN_SIDE || region.score < settings.boxThreshold) continue
    const vertical = rect.height >= 1.5 * rect.width
    const ratio = vertical ? settings.verticalUnclipRatio : settings.unclipRatio
    const distance = (rect.width * rect.height * ratio) / (2 * (rect.width + rect.height))
    const grown = { ...rect, width: rect.width + 2 * distance, height: rect.height + 2 * distance }
    if (Math.min(grown.width, grown.height) < MIN_SIDE + 2) continue
    const scaled = rectToQuad(grown).map((point) => ({ x: point.x * scaleX, y: point.y * scaleY }))
    // Unequal scales turn the rectangle into a parallelogram; its own minimum box is the answer.
    boxes.push({ quad: rectToQuad(minAreaRect(convexHull(scaled))), score: region.score })
  }
  return boxes
}
