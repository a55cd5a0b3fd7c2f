import type { Quad } from './geometry'
import type { LineCrop } from './line-crop'
import { bgrOffsets, type Raster } from './raster'

/** A pixel is ink when its grey differs from the column's median (its paper) by more than this. */
const INK_CONTRAST = 60
/** Pieces of a column spanning at most this many character widths are one character (二, 言, ッ + its neighbour stay apart). */
const MERGE_SPAN = 1.15
/** Blank pixels between two characters laid side by side. */
const GAP = 6

/**
 * A vertical column laid out as a horizontal line of upright characters, the other way of
 * reading vertical Japanese besides turning the crop: the column is cut at its blank rows
 * (pieces shorter than a character width joined again) and the characters placed left to right,
 * `height` pixels high. Turned crops show the recogniser every character on its side, and small
 * kana (ッ, ゃ) then often vanish; upright characters read like horizontal text. Vertical-only
 * forms (a vertical ー, ︙) read worse upright, so the engine keeps whichever reading is more
 * confident.
 */
export function stackColumn(image: Raster, quad: Quad, height: number, maxWidth: number): LineCrop {
  const strip = uprightStrip(image, quad, height)
  const cells = characterCells(strip)
  const parts = cells.map((cell) => {
    const scale = Math.min(1, height / (cell.end - cell.start))
    return { ...cell, scale, width: Math.max(1, Math.round(height * scale)) }
  })
  const width = Math.max(1, Math.min(maxWidth, parts.reduce((sum, part) => sum + part.width, 0) + GAP * Math.max(0, parts.length - 1)))
  const plane = height * width
  const tensor = new Float32Array(3 * plane)
  for (let c = 0; c < 3; c++) tensor.fill(strip.paper[c]!, c * plane, (c + 1) * plane)
  let left = 0
  for (const part of parts) {
    const cellHeight = Math.max(1, Math.round((part.end - part.start) * part.scale))
    const top = Math.floor((height - cellHeight) / 2)
    for (let oy = 0; oy < cellHeight; oy++) {
      const sy = Math.min(strip.height - 1, part.start + Math.floor((oy + 0.5) / part.scale))
      for (let ox = 0; ox < part.width && left + ox < width; ox++) {
        const sx = Math.min(height - 1, Math.floor((ox + 0.5) / part.scale))
        for (let c = 0; c < 3; c++) tensor[c * plane + (top + oy) * width + left + ox] = strip.planes[c]![sy * height + sx]!
      }
    }
    left += part.width + GAP
  }
  return { tensor, width, height }
}

interface Strip {
  /** B, G, R planes, normalised to [-1, 1], `size` wide and `height` tall. */
  planes: [Float32Array, Float32Array, Float32Array]
  grey: Float32Array
  height: number
  size: number
  /** The median colour, normalised, for padding. */
  paper: [number, number, number]
}

/** The column sampled upright, its width scaled to `size`. */
function uprightStrip(image: Raster, quad: Quad, size: number): Strip {
  const [p0, p1, , p3] = quad
  const sideW = Math.max(1, Math.hypot(p1.x - p0.x, p1.y - p0.y))
  const sideH = Math.max(1, Math.hypot(p3.x - p0.x, p3.y - p0.y))
  const ux = (p1.x - p0.x) / sideW, uy = (p1.y - p0.y) / sideW
  const vx = (p3.x - p0.x) / sideH, vy = (p3.y - p0.y) / sideH
  const height = Math.max(1, Math.round((sideH * size) / sideW))
  const planes: Strip['planes'] = [new Float32Array(size * height), new Float32Array(size * height), new Float32Array(size * height)]
  const grey = new Float32Array(size * height)
  const offsets = bgrOffsets(image.channels)
  const maxX = image.width - 1, maxY = image.height - 1
  for (let oy = 0; oy < height; oy++) {
    const t = ((oy + 0.5) * sideH) / height
    for (let ox = 0; ox < size; ox++) {
      const s = ((ox + 0.5) * sideW) / size
      const x = Math.min(maxX, Math.max(0, p0.x + s * ux + t * vx - 0.5))
      const y = Math.min(maxY, Math.max(0, p0.y + s * uy + t * vy - 0.5))
      const x0 = x | 0, y0 = y | 0
      const x1 = x0 < maxX ? x0 + 1 : x0, y1 = y0 < maxY ? y0 + 1 : y0
      const fx = x - x0, fy = y - y0
      const out = oy * size + ox
      let sum = 0
      for (let c = 0; c < 3; c++) {
        const o = offsets[c]!
        const at = (px: number, py: number): number => image.data[(py * image.width + px) * image.channels + o]!
        const value = at(x0, y0) * (1 - fx) * (1 - fy) + at(x1, y0) * fx * (1 - fy) + at(x0, y1) * (1 - fx) * fy + at(x1, y1) * fx * fy
        planes[c]![out] = value / 127.5 - 1
        sum += value
      }
      grey[out] = sum / 3
    }
  }
  const paperGrey = median(grey)
  // The paper colour: the mean of the pixels at the median grey's level.
  const paper: [number, number, number] = [0, 0, 0]
  let count = 0
  for (let i = 0; i < grey.length; i++) {
    if (Math.abs(grey[i]! - paperGrey) > 8) continue
    for (let c = 0; c < 3; c++) paper[c] = paper[c]! + planes[c]![i]!
    count++
  }
  for (let c = 0; c < 3; c++) paper[c] = count > 0 ? paper[c]! / count : 0
  return { planes, grey, height, size, paper }
}

/** Row ranges [start, end) holding one character each. */
function characterCells(strip: Strip): Array<{ start: number; end: number }> {
  const paper = median(strip.grey)
  const inkRows: boolean[] = []
  let left = strip.size, right = -1
  for (let y = 0; y < strip.height; y++) {
    let ink = 0
    for (let x = 0; x < strip.size; x++) {
      if (Math.abs(strip.grey[y * strip.size + x]! - paper) > INK_CONTRAST) {
        ink++
        if (x < left) left = x
        if (x > right) right = x
      }
    }
    inkRows.push(ink >= 2)
  }
  const pieces: Array<{ start: number; end: number }> = []
  for (let y = 0; y < strip.height; y++) {
    if (!inkRows[y]) continue
    const start = y
    while (y < strip.height && inkRows[y]) y++
    pieces.push({ start, end: y })
  }
  if (pieces.length === 0) return [{ start: 0, end: strip.height }]
  // Characters are about as tall as the column's ink is wide (full-width glyphs are square).
  const pitch = Math.max(8, right - left + 1)
  const cells: Array<{ start: number; end: number }> = []
  for (const piece of pieces) {
    const last = cells.at(-1)
    if (last && piece.end - last.start <= MERGE_SPAN * pitch) last.end = piece.end
    else cells.push({ ...piece })
  }
  // A little paper around each character, as in a horizontal line.
  const margin = Math.round(pitch * 0.1)
  return cells.map((cell) => ({ start: Math.max(0, cell.start - margin), end: Math.min(strip.height, cell.end + margin) }))
}

function median(values: Float32Array): number {
  const sorted = Float32Array.from(values).sort()
  return sorted[sorted.length >> 1] ?? 0
}
