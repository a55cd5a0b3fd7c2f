import { describe, expect, it } from 'vitest'
import type { Quad } from './geometry'
import { orderLines, type PlacedText } from './reading-order'

function box(x0: number, y0: number, x1: number, y1: number, text: string, vertical = y1 - y0 >= 1.5 * (x1 - x0)): PlacedText {
  const quad: Quad = [{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }]
  return { quad, vertical, text, confidence: 0.9 }
}

describe('orderLines', () => {
  it('reads vertical columns right to left, each top to bottom, and joins a column the detector split', () => {
    const lines = orderLines([
      box(10, 10, 40, 200, 'みっつめ'),
      box(110, 10, 140, 90, 'ひと'),
      box(110, 100, 140, 200, 'つめ'),
      box(60, 10, 90, 200, 'ふたつめ'),
    ])
    expect(lines.map((line) => line.text)).toEqual(['ひと つめ', 'ふたつめ', 'みっつめ'])
    expect(lines.every((line) => line.vertical)).toBe(true)
  })

  it('reads horizontal rows top to bottom, boxes of one row left to right', () => {
    const lines = orderLines([
      box(10, 60, 200, 90, 'second line'),
      box(120, 10, 200, 40, 'world'),
      box(10, 10, 100, 40, 'hello'),
    ])
    expect(lines.map((line) => line.text)).toEqual(['hello world', 'second line'])
  })

  it('reads the speech bubbles of a manga page in bands from the top, right to left, each bubble whole', () => {
    const bubble = (x: number, y: number, texts: string[]): PlacedText[] => texts.map((text, i) => box(x + (texts.length - 1 - i) * 40, y, x + (texts.length - 1 - i) * 40 + 30, y + 150, text))
    const lines = orderLines([
      ...bubble(100, 500, ['下の右', '下の左']),
      ...bubble(100, 50, ['左上']),
      ...bubble(600, 80, ['右上の一', '右上の二']),
    ])
    expect(lines.map((line) => line.text)).toEqual(['右上の一', '右上の二', '左上', '下の右', '下の左'])
  })

  it('drops furigana: a column much narrower than the widest of its bubble', () => {
    const lines = orderLines([box(100, 10, 140, 200, '素直に'), box(142, 10, 156, 60, 'すなお', true)])
    expect(lines.map((line) => line.text)).toEqual(['素直に'])
  })

  it('gives nothing for boxes without text', () => {
    expect(orderLines([box(0, 0, 10, 40, ' ')])).toEqual([])
  })
})
