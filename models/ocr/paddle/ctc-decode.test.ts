import { describe, expect, it } from 'vitest'
import { ctcGreedyDecode } from './ctc-decode'

/** One row per step: the winning class gets `p`, the rest share what is left. */
function steps(classes: number, winners: Array<[number, number]>): Float32Array {
  const values = new Float32Array(winners.length * classes)
  winners.forEach(([winner, p], step) => {
    for (let c = 0; c < classes; c++) values[step * classes + c] = c === winner ? p : (1 - p) / (classes - 1)
  })
  return values
}

describe('ctcGreedyDecode', () => {
  it('collapses repeats, drops blanks, keeps a repeat split by a blank, and averages the kept probabilities', () => {
    const characters = ['あ', 'い', ' ']
    const probabilities = steps(4, [[1, 0.9], [1, 0.8], [0, 0.99], [1, 0.7], [2, 0.6], [3, 0.5], [0, 0.9]])
    const decoded = ctcGreedyDecode(probabilities, 0, 7, 4, characters)
    expect(decoded.text).toBe('ああい ')
    expect(decoded.confidence).toBeCloseTo((0.9 + 0.7 + 0.6 + 0.5) / 4, 6)
  })

  it('reads a sequence at an offset (one crop of a batch) and gives 0 confidence to nothing', () => {
    const probabilities = new Float32Array([...steps(3, [[1, 0.9]]), ...steps(3, [[0, 0.9], [0, 0.8]])])
    expect(ctcGreedyDecode(probabilities, 3, 2, 3, ['a', 'b'])).toEqual({ text: '', confidence: 0 })
    expect(ctcGreedyDecode(probabilities, 0, 1, 3, ['a', 'b']).text).toBe('a')
  })
})
