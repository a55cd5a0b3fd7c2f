import { quadBounds, type Quad } from './geometry'

export interface Bounds {
  x0: number
  y0: number
  x1: number
  y1: number
}

/** A recognised box, before ordering. */
export interface PlacedText {
  quad: Quad
  vertical: boolean
  text: string
  confidence: number
}

/** A line of the result: boxes of one printed row (or one vertical column) joined. */
export interface OrderedLine {
  text: string
  confidence: number
  bounds: Bounds
  vertical: boolean
}

/** Boxes of one orientation this close (in character sizes) belong to one block of text. */
const BLOCK_GAP = 0.8

/**
 * Reading order. Boxes are grouped into blocks (a speech bubble, a paragraph): vertical boxes
 * side by side, horizontal boxes one above the other, each at most 0.8 characters apart. Blocks
 * are read in bands from the top; within a band right to left when vertical text dominates the
 * image (manga) and left to right otherwise. Within a block, vertical columns are read right to
 * left, each top to bottom, and horizontal rows top to bottom, each left to right; boxes the
 * detector split within one column or row are joined into one line.
 */
export function orderLines(items: readonly PlacedText[]): OrderedLine[] {
  const boxes = items.filter((item) => item.text.trim().length > 0).map((item) => ({ ...item, bounds: quadBounds(item.quad) }))
  if (boxes.length === 0) return []
  const blocks = groupBlocks(boxes)
  const verticalChars = boxes.reduce((sum, box) => sum + (box.vertical ? box.text.length : 0), 0)
  const rightToLeft = verticalChars * 2 > boxes.reduce((sum, box) => sum + box.text.length, 0)
  const ordered = inBands(blocks.map((members) => ({ members, bounds: union(members.map((member) => member.bounds)) })), rightToLeft)
  return ordered.flatMap((block) => linesOf(withoutRuby(block.members)))
}

/** A column this much narrower than the widest of its block is furigana (ruby), which the text beside it already says. */
const RUBY_WIDTH = 0.6

function withoutRuby(members: Box[]): Box[] {
  if (!members[0]!.vertical) return members
  const widest = Math.max(...members.map((box) => box.bounds.x1 - box.bounds.x0))
  return members.filter((box) => box.bounds.x1 - box.bounds.x0 >= RUBY_WIDTH * widest)
}

type Box = PlacedText & { bounds: Bounds }

function groupBlocks(boxes: Box[]): Box[][] {
  const parent = boxes.map((_, i) => i)
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)))
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      if (near(boxes[i]!, boxes[j]!)) parent[find(i)] = find(j)
    }
  }
  const groups = new Map<number, Box[]>()
  boxes.forEach((box, i) => {
    const root = find(i)
    groups.set(root, [...(groups.get(root) ?? []), box])
  })
  return [...groups.values()]
}

function near(a: Box, b: Box): boolean {
  if (a.vertical !== b.vertical) return false
  const A = a.bounds, B = b.bounds
  if (a.vertical) {
    const size = Math.max(A.x1 - A.x0, B.x1 - B.x0)
    return gap(A.x0, A.x1, B.x0, B.x1) <= BLOCK_GAP * size && overlap(A.y0, A.y1, B.y0, B.y1) > 0
  }
  const size = Math.max(A.y1 - A.y0, B.y1 - B.y0)
  const sameRow = overlap(A.y0, A.y1, B.y0, B.y1) > 0.5 * Math.min(A.y1 - A.y0, B.y1 - B.y0) && gap(A.x0, A.x1, B.x0, B.x1) <= 2 * size
  return sameRow || (gap(A.y0, A.y1, B.y0, B.y1) <= BLOCK_GAP * size && overlap(A.x0, A.x1, B.x0, B.x1) > 0)
}

function inBands<T extends { bounds: Bounds }>(blocks: T[], rightToLeft: boolean): T[] {
  const byTop = [...blocks].sort((a, b) => a.bounds.y0 - b.bounds.y0)
  const result: T[] = []
  while (byTop.length > 0) {
    const first = byTop.shift()!
    const band = [first]
    // A block whose top lies in the upper half of the band's first block reads in the same band.
    const limit = (first.bounds.y0 + first.bounds.y1) / 2
    while (byTop.length > 0 && byTop[0]!.bounds.y0 < limit) band.push(byTop.shift()!)
    band.sort((a, b) => (rightToLeft ? b.bounds.x1 - a.bounds.x1 : a.bounds.x0 - b.bounds.x0))
    result.push(...band)
  }
  return result
}

function linesOf(members: Box[]): OrderedLine[] {
  const vertical = members[0]!.vertical
  // Columns right to left, rows top to bottom; then boxes sharing most of their extent across the
  // reading direction are one line.
  const across = (box: Box): [number, number] => (vertical ? [box.bounds.x0, box.bounds.x1] : [box.bounds.y0, box.bounds.y1])
  const along = (box: Box): number => (vertical ? box.bounds.y0 : box.bounds.x0)
  const sorted = [...members].sort((a, b) => (vertical ? b.bounds.x1 - a.bounds.x1 : a.bounds.y0 - b.bounds.y0))
  const lines: Box[][] = []
  for (const box of sorted) {
    const [lo, hi] = across(box)
    const line = lines.find((candidate) => {
      const [clo, chi] = [Math.min(...candidate.map((member) => across(member)[0])), Math.max(...candidate.map((member) => across(member)[1]))]
      return overlap(lo, hi, clo, chi) > 0.5 * Math.min(hi - lo, chi - clo)
    })
    if (line) line.push(box)
    else lines.push([box])
  }
  return lines.map((line) => {
    line.sort((a, b) => along(a) - along(b))
    const chars = line.reduce((sum, box) => sum + box.text.length, 0)
    return {
      text: line.map((box) => box.text.trim()).join(' '),
      confidence: line.reduce((sum, box) => sum + box.confidence * box.text.length, 0) / Math.max(1, chars),
      bounds: union(line.map((box) => box.bounds)),
      vertical,
    }
  })
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0))
}

function gap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.max(a0, b0) - Math.min(a1, b1))
}

function union(all: Bounds[]): Bounds {
  return {
    x0: Math.min(...all.map((b) => b.x0)), y0: Math.min(...all.map((b) => b.y0)),
    x1: Math.max(...all.map((b) => b.x1)), y1: Math.max(...all.map((b) => b.y1)),
  }
}
